// Beside a webhook's Send test event: the catalog's example of the chosen type, which is what the
// test send delivers (with fresh ids and times), to read or copy.
import { useEffect, useState } from 'react';
import { loadCatalog, pretty, type CatalogEntry } from './api.js';
import { CopyButton } from './CopyButton.js';
import './catalog.css';

export function TestEventExample(props: { type: string }) {
  const [entries, setEntries] = useState<CatalogEntry[] | null>(null);
  useEffect(() => {
    loadCatalog().then(setEntries, () => setEntries([]));
  }, []);
  const entry = entries?.find((e) => e.type === props.type);
  if (!entry) return null;
  const example = pretty(entry.example);
  return (
    <details className="test-example">
      <summary>Example payload of {entry.type}</summary>
      <p className="hint">{entry.description}</p>
      <CopyButton text={example} label="Copy example" />
      <pre className="payload catalog-code" aria-label={`Example payload of ${entry.type}`} tabIndex={0}>
        {example}
      </pre>
    </details>
  );
}
