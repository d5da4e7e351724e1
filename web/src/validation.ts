// The rules the server enforces on a webhook, checked in the page first so mistakes show before sending.
export interface Draft {
  name: string;
  url: string;
}

export type FieldErrors = Partial<Record<'name' | 'url' | 'events' | 'form', string>>;

export const MESSAGES = {
  nameEmpty: 'Enter a webhook name.',
  nameAlnum: 'The webhook name must contain at least one alphanumeric character.',
  nameTaken: 'A webhook with this name already exists. Choose a unique name.',
  urlHttps: 'The webhook URL must start with https://',
  urlInvalid: 'Enter a valid URL, such as https://example.com/hooks.',
  events: 'Select at least one event.',
} as const;

export function checkDetails(draft: Draft, takenNames: string[]): FieldErrors {
  const errors: FieldErrors = {};
  const name = draft.name.trim().normalize('NFC');
  if (name.length === 0) errors.name = MESSAGES.nameEmpty;
  else if (!/[\p{L}\p{N}]/u.test(name)) errors.name = MESSAGES.nameAlnum;
  else if (takenNames.some((n) => n.toLowerCase() === name.toLowerCase())) errors.name = MESSAGES.nameTaken;
  const url = draft.url.trim();
  if (!url.toLowerCase().startsWith('https://')) errors.url = MESSAGES.urlHttps;
  else if (!URL.canParse(url) || new URL(url).hostname === '') errors.url = MESSAGES.urlInvalid;
  return errors;
}

export function checkEvents(events: string[]): FieldErrors {
  return events.length === 0 ? { events: MESSAGES.events } : {};
}
