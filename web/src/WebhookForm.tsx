// "Create Webhook" and "Edit": name and URL, Next, event checkboxes, then Create (and the new secret
// once, with "Copy & close") or Save. Both check the same rules with the same messages before
// sending, and put the server's answer on the field it names. Focus moves into each step, and to
// the first invalid field when a step is refused.
import { useRef, useState, type FormEvent } from 'react';
import { RequestFailed, type Api, type Webhook } from './api.js';
import { Dialog, useFocusFirstInvalid } from './Dialog.js';
import { EVENT_GROUPS, coveredTypes } from './events.js';
import { FieldError } from './FieldError.js';
import { SecretView, webhookSecretFields } from './SecretView.js';
import { MESSAGES, checkDetails, checkEvents, type FieldErrors } from './validation.js';

type Step = 'details' | 'events' | 'secret';

export function WebhookForm(props: { api: Api; existing: Webhook[]; editing?: Webhook; onSaved: (w: Webhook) => void; onClose: () => void }) {
  const { editing } = props;
  const [step, setStep] = useState<Step>('details');
  const [name, setName] = useState(editing?.name ?? '');
  const [url, setUrl] = useState(editing?.url ?? '');
  const [events, setEvents] = useState<string[]>(editing ? coveredTypes(editing.events) : []);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState('');
  const box = useRef<HTMLDivElement>(null);
  useFocusFirstInvalid(box, errors);

  const taken = props.existing.filter((w) => w.id !== editing?.id).map((w) => w.name);
  const title = editing ? `Edit ${editing.name}` : 'Create Webhook';

  function next(e: FormEvent) {
    e.preventDefault();
    const found = checkDetails({ name, url }, taken);
    setErrors(found);
    if (Object.keys(found).length === 0) setStep('events');
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    const found = checkEvents(events);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const input = { name: name.trim(), url: url.trim(), events: editing ? keepComposites(editing.events, events) : events };
      if (editing) {
        props.onSaved(await props.api.updateWebhook(editing.id, input));
        props.onClose();
      } else {
        const created = await props.api.createWebhook(input);
        setSecret(created.secret);
        setStep('secret');
        props.onSaved(created);
      }
    } catch (err) {
      const answer = fromServer(err);
      if (answer.name || answer.url) setStep('details');
      setErrors(answer);
    } finally {
      setBusy(false);
    }
  }

  const toggle = (type: string) => setEvents((now) => (now.includes(type) ? now.filter((t) => t !== type) : [...now, type]));

  return (
    <Dialog title={step === 'secret' ? 'Webhook Secret' : title} onClose={props.onClose} step={step}>
      <div ref={box}>
        {errors.form && (
          <p className="error" role="alert">
            {errors.form}
          </p>
        )}
        {step === 'secret' && (
          <SecretView
            fields={webhookSecretFields(secret)}
            onDone={props.onClose}
            intro="Save this secret now: your system needs it to verify that the data it receives is authentic."
          />
        )}
        {step === 'details' && (
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
        )}
        {step === 'events' && (
          <form onSubmit={save} noValidate>
            <p>Select the events that should trigger this webhook.</p>
            {EVENT_GROUPS.map((group) => (
              <fieldset key={group.title} aria-describedby={errors.events ? 'events-error' : undefined}>
                <legend>{group.title}</legend>
                {group.events.map((ev, i) => {
                  const id = `event-${ev.type.replace('.', '-')}`;
                  const first = group === EVENT_GROUPS[0] && i === 0;
                  return (
                    <div className="event" key={ev.type}>
                      <input
                        type="checkbox"
                        id={id}
                        checked={events.includes(ev.type)}
                        onChange={() => toggle(ev.type)}
                        aria-describedby={`${id}-description`}
                        {...(first && { 'data-autofocus': true, 'aria-invalid': errors.events !== undefined })}
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
                {editing ? 'Save' : 'Create'}
              </button>
            </div>
          </form>
        )}
      </div>
    </Dialog>
  );
}

/** The chosen types, with a composite (`booking`, `conversation`) kept where it was subscribed and all its types stay checked. */
function keepComposites(before: string[], chosen: string[]): string[] {
  const out: string[] = [];
  for (const group of EVENT_GROUPS) {
    const kind = group.events[0]!.type.split('.')[0]!;
    const types = group.events.map((e) => e.type);
    if (before.includes(kind) && types.every((t) => chosen.includes(t))) out.push(kind);
    else out.push(...types.filter((t) => chosen.includes(t)));
  }
  return out;
}

/** The server's error, on the field it names (OnceHub's `param`). */
function fromServer(err: unknown): FieldErrors {
  if (!(err instanceof RequestFailed)) return { form: 'Something went wrong. Try again.' };
  const { status, param, message } = err.error;
  if (status === 409) return { name: MESSAGES.nameTaken };
  if (param === 'name') return { name: message };
  if (param === 'url') return { url: message };
  if (param === 'events') return { events: message };
  return { form: status === 429 ? `Refused: ${message}. Nothing was saved; wait a second and try again.` : message };
}
