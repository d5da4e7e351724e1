// The Event types page: every event type hookline delivers, grouped by kind, each with its
// description; a type's own page shows its JSON Schema and an example payload, both copyable. The
// open type can be driven from outside (a router: `type` and `onOpen`) or kept here.
import { useEffect, useState } from 'react';
import { loadCatalog, pretty, type CatalogEntry } from './api.js';
import { CopyButton } from './CopyButton.js';
import './catalog.css';

const KINDS = [
  { kind: 'booking', title: 'Booking events' },
  { kind: 'conversation', title: 'Conversation events' },
];

export function EventCatalog(props: { type?: string | null; onOpen?: (type: string | null) => void }) {
  const [entries, setEntries] = useState<CatalogEntry[] | null>(null);
  const [problem, setProblem] = useState('');
  const [own, setOwn] = useState<string | null>(null);
  const selected = props.type !== undefined ? props.type : own;
  const open = props.onOpen ?? setOwn;

  useEffect(() => {
    loadCatalog().then(setEntries, (err: Error) => setProblem(err.message));
  }, []);
  useEffect(() => {
    document.title = selected ? `${selected} · Event types · hookline` : 'Event types · hookline';
  }, [selected]);

  if (entries === null) {
    return (
      <p role={problem ? 'alert' : undefined}>{problem || 'Loading…'}</p>
    );
  }
  const entry = selected ? entries.find((e) => e.type === selected) : undefined;
  if (selected && entry) return <EventTypePage entry={entry} onBack={() => open(null)} />;

  return (
    <>
      <h1>Event types</h1>
      <p className="hint">What each event means, the JSON Schema of its payload and an example. Send test event sends these examples.</p>
      {selected && (
        <p className="error" role="alert">
          There is no event type {selected}.
        </p>
      )}
      {KINDS.map(({ kind, title }) => (
        <section key={kind} className="panel" aria-labelledby={`kind-${kind}`}>
          <h2 id={`kind-${kind}`}>{title}</h2>
          <ul className="catalog-list">
            {entries
              .filter((e) => e.kind === kind)
              .map((e) => (
                <li key={e.type}>
                  <button type="button" className="name-link catalog-type" onClick={() => open(e.type)}>
                    {e.type}
                  </button>
                  <p className="hint">{e.description}</p>
                </li>
              ))}
          </ul>
        </section>
      ))}
    </>
  );
}

function EventTypePage(props: { entry: CatalogEntry; onBack: () => void }) {
  const { entry } = props;
  const example = pretty(entry.example);
  const schema = pretty(entry.schema);
  return (
    <>
      <button type="button" className="link" onClick={props.onBack}>
        ← Event types
      </button>
      <h1 className="catalog-type">{entry.type}</h1>
      <p>{entry.description}</p>
      <section className="panel" aria-labelledby="example-heading">
        <div className="section-head">
          <h2 id="example-heading">Example payload</h2>
          <CopyButton text={example} label="Copy example" />
        </div>
        <p className="hint">As a delivery carries it; Send test event sends one like it, with fresh ids and times.</p>
        <pre className="payload catalog-code" aria-labelledby="example-heading" tabIndex={0}>
          {example}
        </pre>
      </section>
      <section className="panel" aria-labelledby="schema-heading">
        <div className="section-head">
          <h2 id="schema-heading">JSON Schema</h2>
          <CopyButton text={schema} label="Copy schema" />
        </div>
        <pre className="payload catalog-code" aria-labelledby="schema-heading" tabIndex={0}>
          {schema}
        </pre>
      </section>
    </>
  );
}
