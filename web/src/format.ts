// Times and attempt outcomes as people read them.
import type { Attempt } from './api.js';

export function when(iso: string | null): string {
  if (iso === null) return '';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function outcomeOf(a: Attempt): string {
  if (a.status_code !== null) return `HTTP ${a.status_code}`;
  return a.error_message ?? a.error_kind ?? 'no answer';
}
