// "Create Webhook": name and URL, Next, event checkboxes, Create; then the new secret once, with
// "Copy & close". Rules are checked before sending, and the server's answer lands on the same fields.
import { useState, type FormEvent } from 'react';
import { RequestFailed, type Api, type Webhook } from './api.js';
import { Dialog } from './Dialog.js';
import { EVENT_GROUPS } from './events.js';
import { FieldError } from './FieldError.js';
import { SecretView } from './SecretView.js';
import { MESSAGES, checkDetails, checkEvents, type FieldErrors } from './validation.js';

type Step = 'details' | 'events' | 'secret';

export function CreateWebhookDialog(props: { api: Api; existing: Webhook[]; onCreated: () => void; onClose: () => void }) {
  const [step, setStep] = useState<Step>('details');
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState('');

  const taken = props.existing.map((w) => w.name);

  function next(e: FormEvent) {
    e.preventDefault();
    const found = checkDetails({ name, url }, taken);
    setErrors(found);
    if (Object.keys(found).length === 0) setStep('events');
  }

  async function create(e: FormEvent) {
    e.preventDefault();
    const found = checkEvents(events);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const created = await props.api.createWebhook({ name: name.trim(), url: url.trim(), events });
      setSecret(created.secret);
      setStep('secret');
      props.onCreated();
    } catch (err) {
      const answer = fromServer(err);
      setErrors(answer);
      if (answer.name || answer.url) setStep('details');
    } finally {
      setBusy(false);
    }
  }

  const toggle = (type: string) => setEvents((now) => (now.includes(type) ? now.filter((t) => t !== type) : [...now, type]));

  if (step === 'secret') {
    return (
      <Dialog title="Webhook Secret" onClose={props.onClose}>
        <SecretView secret={secret} onDone={props.onClose} intro="Save this secret now: your system needs it to verify that the data it receives is authentic." />
      </Dialog>
    );
  }

  return (
    <Dialog title="Create Webhook" onClose={props.onClose}>
      {errors.form && (
        <p className="error" role="alert">
          {errors.form}
        </p>
      )}
      {step === 'details' ? (
        <form onSubmit={next} noValidate>
          <label htmlFor="webhook-name">Webhook Name</label>
          <input
            id="webhook-name"
            data-autofocus
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={errors.name !== undefined}
            aria-describedby={errors.name ? 'webhook-name-error' : undefined}
            maxLength={100}
          />
          <FieldError id="webhook-name-error" message={errors.name} />
          <label htmlFor="webhook-url">Webhook URL</label>
          <input
            id="webhook-url"
            type="url"
            inputMode="url"
            placeholder="https://"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            aria-invalid={errors.url !== undefined}
            aria-describedby={errors.url ? 'webhook-url-error' : undefined}
          />
          <FieldError id="webhook-url-error" message={errors.url} />
          <div className="actions">
            <button type="button" className="secondary" onClick={props.onClose}>
              Cancel
            </button>
            <button type="submit">Next</button>
          </div>
        </form>
      ) : (
        <form onSubmit={create} noValidate>
          <p>Select the events that should trigger this webhook.</p>
          {EVENT_GROUPS.map((group) => (
            <fieldset key={group.title} aria-describedby={errors.events ? 'events-error' : undefined}>
              <legend>{group.title}</legend>
              {group.events.map((ev, i) => {
                const id = `event-${ev.type.replace('.', '-')}`;
                return (
                  <div className="event" key={ev.type}>
                    <input
                      type="checkbox"
                      id={id}
                      checked={events.includes(ev.type)}
                      onChange={() => toggle(ev.type)}
                      aria-describedby={`${id}-description`}
                      {...(group === EVENT_GROUPS[0] && i === 0 && { 'data-autofocus': true })}
                    />
                    <label htmlFor={id}>{ev.label}</label>
                    <p className="hint" id={`${id}-description`}>
                      {ev.description}
                    </p>
                  </div>
                );
              })}
            </fieldset>
          ))}
          <FieldError id="events-error" message={errors.events} />
          <div className="actions">
            <button type="button" className="secondary" onClick={() => setStep('details')}>
              Back
            </button>
            <button type="submit" disabled={busy}>
              Create
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

/** The server's error, on the field it names (OnceHub's `param`). */
function fromServer(err: unknown): FieldErrors {
  if (!(err instanceof RequestFailed)) return { form: 'Something went wrong. Try again.' };
  const { status, param, message } = err.error;
  if (status === 409) return { name: MESSAGES.nameTaken };
  if (param === 'name') return { name: message };
  if (param === 'url') return { url: message };
  if (param === 'events') return { events: message };
  return { form: message };
}
