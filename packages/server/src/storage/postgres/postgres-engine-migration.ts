import type { Migration } from '../shared/migration.ts';

/**
 * Ownership of account trees by nodes (cluster/): which node owns which shard of trees and at
 * what URL it takes requests. The rows are a directory, not the lock: a shard is owned by the
 * node whose engine connection holds its advisory lock, and only that connection commits the
 * shard's batches.
 */
export const postgresEngineMigration: Migration = {
  version: 8,
  name: 'engine',
  sql: `
CREATE TABLE engine_nodes (
  node_id TEXT COLLATE "C" PRIMARY KEY,
  url TEXT NOT NULL,
  heartbeat_at_ms BIGINT NOT NULL
);

CREATE TABLE engine_shards (
  shard INTEGER PRIMARY KEY CHECK (shard >= 0),
  node_id TEXT COLLATE "C" NOT NULL,
  url TEXT NOT NULL,
  epoch BIGINT NOT NULL,
  acquired_at_ms BIGINT NOT NULL
);
`,
};
