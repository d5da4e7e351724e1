// The Admins view (/account/admins): the account's admins, with Invite admin (a one-time link shown
// here, to be passed on: hookline sends no e-mail), Add admin (with a password you tell them),
// Remove (the last admin cannot be removed), open invitations with Withdraw, and changing your own
// password.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { ActionMessages, useActions } from './actions.js';
import { RequestFailed, messageOf, type Admin, type Api, type Invite, type Session } from './api.js';
import { Dialog, useFocusFirstInvalid } from './Dialog.js';
import { FieldError } from './FieldError.js';
import { when } from './format.js';
import { useTitle } from './router.js';
import { SecretView } from './SecretView.js';

type Open = { kind: 'invite' } | { kind: 'invited'; invite: Invite & { url: string } } | { kind: 'add' } | { kind: 'remove'; admin: Admin } | null;
type Errors = Partial<Record<'email' | 'password' | 'confirm' | 'current' | 'form', string>>;

const MIN_PASSWORD = 10;

/** The server's refusal on the field it names. */
function fieldOf(err: unknown, names: Record<string, keyof Errors>): Errors {
  const param = err instanceof RequestFailed ? err.error.param : undefined;
  const field = (param && names[param]) || 'form';
  return { [field]: messageOf(err) };
}

export function AdminsPage(props: { api: Api; session: Session }) {
  const { api } = props;
  useTitle('Admins');
  const [admins, setAdmins] = useState<Admin[] | null>(null);
  const [invites, setInvites] = useState<Invite[]>([]);
  const [open, setOpen] = useState<Open>(null);
  const { run, busy, outcome, problem, setProblem } = useActions();
  const heading = useRef<HTMLHeadingElement>(null);

  const reload = useCallback(async () => {
    try {
      const [a, i] = await Promise.all([api.listAdmins(), api.listInvites()]);
      setAdmins(a);
      setInvites(i);
    } catch (err) {
      setProblem(messageOf(err, 'read'));
    }
  }, [api, setProblem]);
  useEffect(() => void reload(), [reload]);

  const only = admins?.length === 1;
  const remove = (admin: Admin) =>
    run('remove', async () => {
      await api.removeAdmin(admin.id);
      setOpen(null);
      await reload();
      heading.current?.focus();
      return `${admin.email} is no longer an admin; their sessions have ended.`;
    });
  const withdraw = (invite: Invite) =>
    run('withdraw', async () => {
      await api.withdrawInvite(invite.id);
      await reload();
      return `The invitation for ${invite.email} was withdrawn: its link no longer works.`;
    });

  return (
    <>
      <h1>Admins</h1>
      <p className="hint">The people who sign in to this page for the account {props.session.account_name}.</p>
      <ActionMessages outcome={outcome} problem={problem} />
      <section className="panel" aria-labelledby="admins-heading">
        <div className="section-head">
          <h2 id="admins-heading" ref={heading} tabIndex={-1}>
            Admins
          </h2>
          <div className="webhook-actions">
            <button type="button" onClick={() => setOpen({ kind: 'invite' })}>
              Invite admin
            </button>
            <button type="button" className="secondary" onClick={() => setOpen({ kind: 'add' })}>
              Add admin
            </button>
          </div>
        </div>
        {admins === null ? (
          <p>Loading…</p>
        ) : (
          <ul className="webhooks" aria-label="Admins list">
            {admins.map((a) => (
              <li key={a.id} className="webhook">
                <div className="webhook-main">
                  <h3 className="webhook-name">
                    {a.email}
                    {a.is_you && ' (you)'}
                  </h3>
                  <p className="hint">Added {when(a.creation_time)}</p>
                </div>
                <div className="webhook-actions">
                  <button
                    type="button"
                    className="danger"
                    aria-label={`Remove ${a.email}`}
                    disabled={only}
                    aria-describedby={only ? 'last-admin-hint' : undefined}
                    onClick={() => setOpen({ kind: 'remove', admin: a })}
                  >
                    Remove
                  </button>
                </div>
              </li>
            ))}
          </ul>
        )}
        {only && (
          <p className="hint" id="last-admin-hint">
            The account's only admin cannot be removed: invite or add another admin first.
          </p>
        )}
        {invites.length > 0 && (
          <>
            <h3>Open invitations</h3>
            <ul className="webhooks" aria-label="Open invitations">
              {invites.map((i) => (
                <li key={i.id} className="webhook">
                  <div className="webhook-main">
                    <p className="webhook-name">{i.email}</p>
                    <p className="hint">Link works once, until {when(i.expires_time)}</p>
                  </div>
                  <div className="webhook-actions">
                    <button type="button" className="secondary" aria-label={`Withdraw invitation for ${i.email}`} disabled={busy !== null} onClick={() => void withdraw(i)}>
                      Withdraw
                    </button>
                  </div>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <PasswordSection api={api} />

      {(open?.kind === 'invite' || open?.kind === 'invited') && (
        <Dialog title={open.kind === 'invite' ? 'Invite admin' : 'Invitation link'} step={open.kind} onClose={() => setOpen(null)}>
          {open.kind === 'invite' ? (
            <EmailForm
              submitLabel="Create invitation link"
              onCancel={() => setOpen(null)}
              onSubmit={async (email) => {
                const invite = await api.invite(email);
                setOpen({ kind: 'invited', invite });
                void reload();
              }}
            />
          ) : (
            <SecretView
              fields={[{ label: 'Invitation link', value: open.invite.url }]}
              onDone={() => setOpen(null)}
              intro={`Send this link to ${open.invite.email} yourself (hookline sends no e-mail). It works once, until ${when(open.invite.expires_time)}, and is shown only now.`}
            />
          )}
        </Dialog>
      )}
      {open?.kind === 'add' && (
        <Dialog title="Add admin" onClose={() => setOpen(null)}>
          <EmailForm
            withPassword
            submitLabel="Add admin"
            onCancel={() => setOpen(null)}
            onSubmit={async (email, password) => {
              const added = await api.addAdmin(email, password!);
              setOpen(null);
              await reload();
              return `${added.email} is now an admin: tell them their password.`;
            }}
            onDone={(text) => run('add', async () => text)}
          />
        </Dialog>
      )}
      {open?.kind === 'remove' && (
        <Dialog title="Remove admin" role="alertdialog" onClose={() => setOpen(null)}>
          <p>
            Remove <strong>{open.admin.email}</strong> as an admin{open.admin.is_you ? ' (that is you: you will be signed out)' : ''}? They can no longer
            sign in, and their sessions end now.
          </p>
          {problem && (
            <p className="error" role="alert">
              {problem}
            </p>
          )}
          <div className="actions">
            <button type="button" className="secondary" data-autofocus onClick={() => setOpen(null)}>
              Cancel
            </button>
            <button type="button" className="danger" disabled={busy !== null} onClick={() => void remove(open.admin)}>
              Remove permanently
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}

/** E-mail address (and password, twice) with the checks the server makes, messages on the fields. */
function EmailForm(props: {
  withPassword?: boolean;
  submitLabel: string;
  onCancel: () => void;
  onSubmit: (email: string, password?: string) => Promise<string | void>;
  onDone?: (text: string) => void;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(box, errors);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const found: Errors = {};
    if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) found.email = 'Enter an e-mail address, such as name@example.com.';
    if (props.withPassword && [...password].length < MIN_PASSWORD) found.password = `The password must have at least ${MIN_PASSWORD} characters.`;
    else if (props.withPassword && password !== confirm) found.confirm = 'The two passwords differ.';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const text = await props.onSubmit(email.trim(), props.withPassword ? password : undefined);
      if (text) props.onDone?.(text);
    } catch (err) {
      setErrors(fieldOf(err, { email: 'email', password: 'password' }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form ref={box} onSubmit={submit} noValidate>
      {errors.form && (
        <p className="error" role="alert">
          {errors.form}
        </p>
      )}
      <Field id="admin-email" label="E-mail address" type="email" value={email} onChange={setEmail} error={errors.email} autoFocus />
      {props.withPassword && (
        <>
          <Field id="admin-password" label="Password" type="password" value={password} onChange={setPassword} error={errors.password} autoComplete="new-password" />
          <Field id="admin-confirm" label="Password again" type="password" value={confirm} onChange={setConfirm} error={errors.confirm} autoComplete="new-password" />
        </>
      )}
      <div className="actions">
        <button type="button" className="secondary" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" disabled={busy}>
          {props.submitLabel}
        </button>
      </div>
    </form>
  );
}

export function Field(props: {
  id: string;
  label: string;
  type: string;
  value: string;
  onChange: (v: string) => void;
  error: string | undefined;
  autoFocus?: boolean;
  autoComplete?: string;
  readOnly?: boolean;
}) {
  return (
    <>
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type={props.type}
        value={props.value}
        readOnly={props.readOnly}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={props.error !== undefined}
        aria-describedby={props.error ? `${props.id}-error` : undefined}
        autoComplete={props.autoComplete}
        {...(props.autoFocus && { 'data-autofocus': true })}
      />
      <FieldError id={`${props.id}-error`} message={props.error} />
    </>
  );
}

/** Change your own password: the current one, the new one twice. Your other sessions end. */
function PasswordSection(props: { api: Api }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [done, setDone] = useState('');
  const box = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(box, errors);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDone('');
    const found: Errors = {};
    if (current === '') found.current = 'Enter your current password.';
    if ([...next].length < MIN_PASSWORD) found.password = `The password must have at least ${MIN_PASSWORD} characters.`;
    else if (next !== confirm) found.confirm = 'The two passwords differ.';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    try {
      await props.api.changePassword(current, next);
      setCurrent('');
      setNext('');
      setConfirm('');
      setDone('Your password was changed. Your other sessions have ended; this one goes on.');
    } catch (err) {
      setErrors(fieldOf(err, { current_password: 'current', new_password: 'password' }));
    }
  }

  return (
    <section className="panel" aria-labelledby="password-heading">
      <h2 id="password-heading">Your password</h2>
      <form ref={box} onSubmit={submit} noValidate className="narrow-form">
        {errors.form && (
          <p className="error" role="alert">
            {errors.form}
          </p>
        )}
        <Field id="current-password" label="Current password" type="password" value={current} onChange={setCurrent} error={errors.current} autoComplete="current-password" />
        <Field id="new-password" label="New password" type="password" value={next} onChange={setNext} error={errors.password} autoComplete="new-password" />
        <Field id="confirm-password" label="New password again" type="password" value={confirm} onChange={setConfirm} error={errors.confirm} autoComplete="new-password" />
        <p className="notice success" role="status">
          {done}
        </p>
        <div className="actions">
          <button type="submit">Change password</button>
        </div>
      </form>
    </section>
  );
}
