import { Link } from '../lib/router';

/** The 404 page of an app: says so, and offers the way back. */
export function NotFound({ strings, home }: { strings: { title: string; body: string; back: string }; home: string }) {
  return (
    <section className="card not-found" aria-labelledby="not-found-title">
      <h1 id="not-found-title">{strings.title}</h1>
      <p>{strings.body}</p>
      <Link className="button button--primary" href={home}>
        {strings.back}
      </Link>
    </section>
  );
}
