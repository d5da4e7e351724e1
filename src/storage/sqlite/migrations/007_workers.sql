-- Delivery workers alive: each one's id is the lease its claims carry, and it renews heartbeat_at
-- every HOOKLINE_HEARTBEAT_MS. A worker whose heartbeat is old is dead: another worker deletes its row
-- and gives its leased deliveries back at once, rather than when the leases run out.
CREATE TABLE workers (
  id           TEXT PRIMARY KEY,
  started_at   INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL
);
