// The account interface: sign-in, then a header with the gear menu, and the view the address names
// (routes.tsx). The set-up and invitation links (/setup, /invite) are answered before sign-in.
import { useEffect, useMemo, useRef, useState } from 'react';
import { createApi, currentSession, type Session } from './api.js';
import { LinkPage } from './LinkPage.js';
import { Link, matchPath, navigate, usePlace, useTitle } from './router.js';
import { VIEWS, paths } from './routes.js';
import { SettingsMenu } from './SettingsMenu.js';
import { SignIn } from './SignIn.js';

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [ended, setEnded] = useState('');
  const place = usePlace();
  const main = useRef<HTMLElement>(null);
  const shownPath = useRef(place.path);
  const api = useMemo(
    () =>
      session
        ? createApi(session, (message) => {
            setEnded(message);
            setSession(null);
          })
        : null,
    [session],
  );

  useEffect(() => {
    currentSession().then(setSession, () => setSession(null));
  }, []);

  // Moving to another view puts the keyboard focus at the start of its content.
  useEffect(() => {
    if (shownPath.current !== place.path) main.current?.focus();
    shownPath.current = place.path;
  }, [place.path]);

  if (session === undefined) return <p className="loading">Loading…</p>;
  if (place.path === '/setup' || place.path === '/invite') {
    return <LinkPage kind={place.path === '/setup' ? 'setup' : 'invite'} onSignedIn={(s) => (setEnded(''), setSession(s), navigate(paths.apis, { replace: true }))} />;
  }
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
    navigate('/');
    setSession(null);
  }

  const view = VIEWS.map((v) => ({ v, params: matchPath(v.path, place.path) })).find((m) => m.params !== null);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/" className="brand">
          hookline
        </Link>
        <span className="who">{session.email}</span>
        <SettingsMenu
          items={[
            { label: 'Account Integrations', onChoose: () => navigate(paths.integrations) },
            { label: 'Admins', onChoose: () => navigate(paths.admins) },
            { label: 'Sign out', onChoose: () => void signOut() },
          ]}
        />
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {view ? view.v.render({ api, session, params: view.params!, query: place.query }) : <NotFound />}
      </main>
    </>
  );
}

function NotFound() {
  useTitle('Not found');
  return (
    <>
      <h1>Page not found</h1>
      <p>
        Nothing is at this address. <Link to={paths.integrations}>Go to Account Integrations</Link>.
      </p>
    </>
  );
}
