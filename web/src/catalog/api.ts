// The event catalog as the page reads it: GET /v2/event-types (public, like the OpenAPI document),
// fetched once per page load and shared by the catalog pages and the webhook page's test example.
export interface CatalogEntry {
  type: string;
  kind: string;
  description: string;
  schema: Record<string, unknown>;
  example: Record<string, unknown>;
}

let loading: Promise<CatalogEntry[]> | undefined;

export function loadCatalog(): Promise<CatalogEntry[]> {
  loading ??= fetch('/v2/event-types', { credentials: 'same-origin' })
    .then(async (res) => {
      if (!res.ok) throw new Error(`The event types could not be loaded (${res.status}).`);
      return ((await res.json()) as { data: CatalogEntry[] }).data;
    })
    .catch((err: unknown) => {
      loading = undefined; // try again next time
      throw err instanceof Error && err.message.startsWith('The event types') ? err : new Error('hookline could not be reached. Check your connection and try again.');
    });
  return loading;
}

export const pretty = (value: unknown) => JSON.stringify(value, null, 2);
