import type { AppContext } from '../../context.js';
import type { HttpClient } from '../../delivery/http-client.js';

/** What route modules are given: the context, and the HTTP client that test sends go through. */
export interface RouteDeps {
  ctx: AppContext;
  http: HttpClient;
}
