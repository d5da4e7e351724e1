// The one-time links: /setup#<token> (printed at first start: choose the first admin's e-mail
// address and password) and /invite#<token> (an invitation: choose a password). The token is in
// the fragment, which the browser never sends to the server; the page posts it in a request body.
// Using the link signs you in.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { acceptLink, lookupLink, messageOf, RequestFailed, type AdminLink, type Session } from './api.js';
import { Field } from './AdminsPage.js';
import { useFocusFirstInvalid } from './Dialog.js';
import { when } from './format.js';
import { useTitle } from './router.js';

type Errors = Partial<Record<'email' | 'password' | 'confirm' | 'form', string>>;

export function LinkPage(props: { kind: 'setup' | 'invite'; onSignedIn: (s: Session) => void }) {
  const token = location.hash.slice(1);
  const [link, setLink] = useState<AdminLink | null>(null);
  const [unusable, setUnusable] = useState(token ? '' : 'This link is incomplete: open the whole link you were given.');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(box, errors);
  useTitle(props.kind === 'setup' ? 'Set up hookline' : 'Accept invitation');

  useEffect(() => {
    if (!token) return;
    lookupLink(token).then(setLink, (err) => setUnusable(messageOf(err, 'read')));
  }, [token]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const found: Errors = {};
    if (link?.kind === 'setup' && !/^[^\s@]+@[^\s@]+$/.test(email.trim())) found.email = 'Enter an e-mail address, such as name@example.com.';
    if ([...password].length < 10) found.password = 'The password must have at least 10 characters.';
    else if (password !== confirm) found.confirm = 'The two passwords differ.';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      props.onSignedIn(await acceptLink(token, password, link?.kind === 'setup' ? email.trim() : undefined));
    } catch (err) {
      const param = err instanceof RequestFailed ? err.error.param : undefined;
      setErrors({ [param === 'email' || param === 'password' ? param : 'form']: messageOf(err) });
    } finally {
      setBusy(false);
    }
  }

  const setup = props.kind === 'setup';
  return (
    <main id="main" className="sign-in">
      <h1>{setup ? 'Set up hookline' : 'Accept invitation'}</h1>
      {unusable ? (
        <>
          <p className="error" role="alert">
            {unusable}
          </p>
          <p>
            <a href="/">Go to the sign-in page</a>
          </p>
        </>
      ) : link === null ? (
        <p>Checking the link…</p>
      ) : (
        <form ref={box} onSubmit={submit} noValidate className="panel">
          <p>
            {link.kind === 'setup'
              ? `Choose the e-mail address and password of the first admin of ${link.account_name}.`
              : `Become an admin of ${link.account_name}: choose the password you will sign in with.`}{' '}
            This link works once, until {when(link.expires_time)}.
          </p>
          {errors.form && (
            <p className="error" role="alert">
              {errors.form}
            </p>
          )}
          {link.kind === 'setup' ? (
            <Field id="link-email" label="Email" type="email" value={email} onChange={setEmail} error={errors.email} autoComplete="username" />
          ) : (
            <Field id="link-email" label="Email" type="email" value={link.email ?? ''} onChange={() => undefined} error={undefined} readOnly />
          )}
          <Field id="link-password" label="Password" type="password" value={password} onChange={setPassword} error={errors.password} autoComplete="new-password" />
          <Field id="link-confirm" label="Password again" type="password" value={confirm} onChange={setConfirm} error={errors.confirm} autoComplete="new-password" />
          <div className="actions">
            <button type="submit" disabled={busy}>
              {setup ? 'Create admin and sign in' : 'Accept and sign in'}
            </button>
          </div>
        </form>
      )}
    </main>
  );
}
