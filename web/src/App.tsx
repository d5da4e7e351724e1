// The account interface: sign-in, then a header with the gear menu, and three screens reached the
// way the product page describes: Account Integrations, then the APIs & Webhooks tile.
import { useEffect, useMemo, useState } from 'react';
import { createApi, currentSession, type Session } from './api.js';
import { EventCatalog, EventTypesTile } from './catalog/EventCatalog.js';
import { SettingsMenu } from './SettingsMenu.js';
import { SignIn } from './SignIn.js';
import { WebhooksPage } from './WebhooksPage.js';

type Screen = 'home' | 'integrations' | 'apis' | 'event-types';

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [screen, setScreen] = useState<Screen>('home');
  const [ended, setEnded] = useState('');
  const api = useMemo(
    () =>
      session
        ? createApi(session, (message) => {
            setEnded(message);
            setScreen('home');
            setSession(null);
          })
        : null,
    [session],
  );

  useEffect(() => {
    currentSession().then(setSession, () => setSession(null));
  }, []);

  useEffect(() => {
    document.title = { home: 'hookline', integrations: 'Account Integrations · hookline', apis: 'APIs & Webhooks · hookline', 'event-types': 'Event types · hookline' }[screen];
  }, [screen]);

  if (session === undefined) return <p className="loading">Loading…</p>;
  if (session === null || api === null) {
    return (
      <SignIn
        notice={ended}
        onSignedIn={(s) => {
          setEnded('');
          setSession(s);
        }}
      />
    );
  }

  async function signOut() {
    await api!.signOut().catch(() => undefined);
    setScreen('home');
    setSession(null);
  }

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <button type="button" className="brand" onClick={() => setScreen('home')}>
          hookline
        </button>
        <span className="who">{session.email}</span>
        <SettingsMenu onIntegrations={() => setScreen('integrations')} onSignOut={() => void signOut()} />
      </header>
      {screen === 'home' && (
        <main id="main">
          <h1>Welcome, {session.email}</h1>
          <p>Account {session.account_name}. Open the gear menu in the top-right corner and choose Account Integrations to manage webhooks.</p>
        </main>
      )}
      {screen === 'integrations' && (
        <main id="main">
          <h1>Account Integrations</h1>
          <ul className="tiles">
            <li>
              <button type="button" className="tile" onClick={() => setScreen('apis')}>
                <span className="tile-title">APIs &amp; Webhooks</span>
                <span className="hint">Send booking and conversation events to your systems.</span>
              </button>
            </li>
            <EventTypesTile onOpen={() => setScreen('event-types')} />
          </ul>
        </main>
      )}
      {screen === 'apis' && <WebhooksPage api={api} />}
      {screen === 'event-types' && <EventCatalog />}
    </>
  );
}
