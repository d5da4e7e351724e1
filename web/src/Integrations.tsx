// The home view after sign-in, and Account Integrations with its tiles.
import type { Session } from './api.js';
import { Link, useTitle } from './router.js';
import { paths } from './routes.js';

export function Home(props: { session: Session }) {
  useTitle('hookline');
  return (
    <>
      <h1>Welcome, {props.session.email}</h1>
      <p>
        Account {props.session.account_name}. Open the gear menu in the top-right corner and choose Account Integrations to manage webhooks, or{' '}
        <Link to={paths.apis}>go to APIs &amp; Webhooks</Link>.
      </p>
    </>
  );
}

export function Integrations() {
  useTitle('Account Integrations');
  return (
    <>
      <h1>Account Integrations</h1>
      <ul className="tiles">
        <li>
          <Link to={paths.apis} className="tile">
            <span className="tile-title">APIs &amp; Webhooks</span>
            <span className="hint">Send booking and conversation events to your systems.</span>
          </Link>
        </li>
        <li>
          <Link to={paths.eventTypes} className="tile">
            <span className="tile-title">Event types</span>
            <span className="hint">Each event&apos;s meaning, payload schema and an example.</span>
          </Link>
        </li>
      </ul>
    </>
  );
}

/** "Account Integrations › APIs & Webhooks › …": where a view sits, each step a link. */
export function Crumbs(props: { trail: { label: string; to?: string }[] }) {
  return (
    <nav aria-label="Breadcrumb" className="crumbs">
      <ol>
        {props.trail.map((c) => (
          <li key={c.label}>{c.to ? <Link to={c.to}>{c.label}</Link> : <span aria-current="page">{c.label}</span>}</li>
        ))}
      </ol>
    </nav>
  );
}
