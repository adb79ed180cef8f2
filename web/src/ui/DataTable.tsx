import type { ReactNode } from 'react';

export interface Column<T> {
  header: ReactNode;
  /** The header is read to screen readers only (a column of buttons). */
  hiddenHeader?: boolean;
  cell: (row: T) => ReactNode;
}

export interface DataTableProps<T> {
  /** `undefined` or `null` (still loading, or not available): nothing is shown. */
  rows: readonly T[] | null | undefined;
  columns: readonly Column<T>[];
  rowKey: (row: T) => string;
  /** The sentence shown instead of an empty table. */
  empty: ReactNode;
  /** `data-*` attributes of a row (the hooks tests and scripts find rows by). */
  rowData?: (row: T) => Record<`data-${string}`, string>;
  /** Wrap the table in a card (the admin portal's look). */
  card?: boolean;
}

/**
 * A list shown as a table, or one muted sentence when there is nothing in it. On a phone
 * each row becomes a small card of "header: value" lines (components.css `.table`), so a
 * list stays readable without scrolling sideways.
 */
export function DataTable<T>({ rows, columns, rowKey, empty, rowData, card = true }: DataTableProps<T>) {
  if (!rows) return null;
  if (rows.length === 0) return <p className="muted">{empty}</p>;
  return (
    <div className={card ? 'table-wrap card' : 'table-wrap'}>
      <table className="table">
        <thead>
          <tr>
            {columns.map((c, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: columns are fixed for a table's life
              <th key={i} scope="col">
                {c.hiddenHeader ? <span className="visually-hidden">{c.header}</span> : c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} {...rowData?.(row)}>
              {columns.map((c, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: columns are fixed for a table's life
                <td key={i} data-label={c.hiddenHeader || typeof c.header !== 'string' ? undefined : c.header}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A table's header row: one column header per entry, each scoped to its column. */
export function TableHead({ headers }: { headers: readonly ReactNode[] }) {
  return (
    <thead>
      <tr>
        {headers.map((h, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a table's columns are fixed for its life
          <th key={i} scope="col">
            {h}
          </th>
        ))}
      </tr>
    </thead>
  );
}
