/** A row of figures, each a label over its value (the dashboard's and the health page's). */
export function Tiles({ label, tiles }: { label: string; tiles: readonly (readonly [string, string])[] }) {
  return (
    <dl className="tiles" aria-label={label}>
      {tiles.map(([k, v]) => (
        <div key={k} className="tile">
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
