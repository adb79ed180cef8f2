import { Link } from '../lib/router';

/** A list row's "Open" link, its spoken name saying which row it opens ("Open: 12 Elm St"). */
export function OpenLink({ href, label, of }: { href: string; label: string; of: string }) {
  return (
    <Link className="button button--secondary" href={href} aria-label={`${label}: ${of}`}>
      {label}
    </Link>
  );
}
