// The one object passed to every feature: configuration, database, clock, logger, the box that
// seals secrets, the notifier that wakes the delivery worker, and the Prometheus metrics. Nothing in hookline reaches for a module-level singleton instead.
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { SecretBox } from './crypto/secretbox.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics/metrics.js';
import type { Notifier } from './notifier.js';
import type { Db } from './storage/db.js';

export interface AppContext {
  config: Config;
  db: Db;
  clock: Clock;
  logger: Logger;
  secrets: SecretBox;
  notifier: Notifier;
  metrics: Metrics;
  /** The base URL people reach hookline at (HOOKLINE_PUBLIC_URL, else the address it listens on): for links in payloads. */
  publicUrl: () => string;
}
