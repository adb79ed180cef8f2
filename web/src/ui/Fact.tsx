import type { HTMLAttributes, ReactNode } from 'react';

/**
 * One term and its value inside a `<dl>`; further props (a `data-testid`) go on the value.
 *
 * @example <dl className="facts"><Fact term={s.price}>{formatMoney(cents)}</Fact></dl>
 */
export function Fact({
  term,
  children,
  ...value
}: { term: ReactNode; children: ReactNode } & HTMLAttributes<HTMLElement>) {
  return (
    <div>
      <dt>{term}</dt>
      <dd {...value}>{children}</dd>
    </div>
  );
}
