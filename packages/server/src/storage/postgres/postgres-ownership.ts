import type pg from 'pg';
import type { TreeOwnership } from '@tollgate/core';
import type { PostgresDatabase } from './postgres-database.ts';
import {
  closeUnit,
  flushPendingWrites,
  openUnit,
} from './postgres-pending-writes.ts';
import { shardOf } from '../../cluster/shard-of.ts';

export interface OwnershipSettings {
  readonly nodeId: string;
  readonly shardCount: number;
  /** A node whose heartbeat is older than this is dead: its shards are shared out again. */
  readonly leaseMs: number;
  /** How often a node beats, takes free shards and gives back extra ones. */
  readonly tickMs: number;
}

/**
 * The advisory lock of a shard: (hash of this installation's schema, shard). Advisory locks
 * are per database, not per schema, so installations in other schemas of the same database
 * (tests, staging) must not take each other's shards.
 */
const shardLockKey = `hashtext('tollgate-engine:' || current_schema())`;

/** Server-side TCP keepalive of the owner connection: a silent peer is dropped in ~4 s. */
const keepaliveSql = `SET tcp_keepalives_idle = 2; SET tcp_keepalives_interval = 1;
  SET tcp_keepalives_count = 2`;

const sql = {
  nowMs: `SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now_ms`,
  beat: `INSERT INTO engine_nodes (node_id, url, heartbeat_at_ms) VALUES ($1, $2, $3)
    ON CONFLICT (node_id) DO UPDATE SET url = EXCLUDED.url,
    heartbeat_at_ms = EXCLUDED.heartbeat_at_ms`,
  liveNodes: 'SELECT node_id FROM engine_nodes WHERE heartbeat_at_ms > $1',
  tryLock: `SELECT pg_try_advisory_lock(${shardLockKey}, $1) AS locked`,
  unlock: `SELECT pg_advisory_unlock(${shardLockKey}, $1) AS unlocked`,
  claim: `INSERT INTO engine_shards (shard, node_id, url, epoch, acquired_at_ms)
    VALUES ($1, $2, $3, 1, $4) ON CONFLICT (shard) DO UPDATE SET node_id = EXCLUDED.node_id,
    url = EXCLUDED.url, epoch = engine_shards.epoch + 1,
    acquired_at_ms = EXCLUDED.acquired_at_ms`,
  setUrl: 'UPDATE engine_shards SET url = $2 WHERE node_id = $1',
  shards: 'SELECT shard, node_id, url FROM engine_shards',
  forget: 'DELETE FROM engine_nodes WHERE node_id = $1',
} as const;

export interface ShardOwner {
  readonly nodeId: string;
  readonly url: string;
}

/**
 * Ownership of account trees among the nodes of one PostgreSQL database. Trees are hashed into
 * shards; a node owns a shard while its owner connection holds the shard's session-level
 * advisory lock, and every batch of its engine commits on that same connection. A node that
 * loses the connection loses its locks and its ability to commit at once, so nothing it
 * decided afterwards can be acknowledged; a killed node's socket closes and its locks free
 * immediately, and the others take its shards when its heartbeat is older than the lease.
 * The `engine_shards` rows only say where each owner takes requests.
 */
export class PostgresOwnership implements TreeOwnership {
  readonly #database: PostgresDatabase;
  readonly #settings: OwnershipSettings;
  #client: pg.Client | null = null;
  #owned = new Set<number>();
  #url = '';
  #directory = new Map<number, ShardOwner>();
  #writes: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;
  #ticking: Promise<void> | null = null;
  #onChange: () => Promise<void> = async () => undefined;
  #onError: (error: unknown) => void = () => undefined;

  constructor(database: PostgresDatabase, settings: OwnershipSettings) {
    this.#database = database;
    this.#settings = settings;
  }

  get nodeId(): string {
    return this.#settings.nodeId;
  }

  get ownedShards(): readonly number[] {
    return [...this.#owned].sort((a, b) => a - b);
  }

  owns(rootId: string): boolean {
    return this.#owned.has(shardOf(rootId, this.#settings.shardCount));
  }

  /**
   * Takes this node's share of the shards, then keeps beating. `onChange` runs after the
   * owned shards changed (the engine reloads its memory) and before a shard is given back.
   */
  async start(hooks: { onChange: () => Promise<void>; onError: (error: unknown) => void }):
    Promise<void> {
    this.#onChange = hooks.onChange;
    this.#onError = hooks.onError;
    await this.tick();
    this.#timer = setInterval(() => {
      this.tick().catch((error: unknown) => this.#onError(error));
    }, this.#settings.tickMs);
    this.#timer.unref();
  }

  /** Where this node takes forwarded requests (known once HTTP listens). */
  async setUrl(url: string): Promise<void> {
    this.#url = url;
    await this.tick();
    await this.#database.pool.query(sql.setUrl, [this.#settings.nodeId, url]);
  }

  /** The owner of a tree's shard as the directory last said; null when nobody owns it. */
  async ownerOf(rootId: string, fresh: boolean): Promise<ShardOwner | null> {
    if (fresh || this.#directory.size === 0) await this.#readDirectory();
    return this.#directory.get(shardOf(rootId, this.#settings.shardCount)) ?? null;
  }

  /**
   * Runs `work` in one transaction on the owner connection: the engine's batches commit here,
   * so a batch commits only while this connection (and with it every lock) is alive. Work of
   * one statement runs without BEGIN and COMMIT: the statement is its own transaction.
   */
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>,
    options: { singleStatement?: boolean } = {}): Promise<T> {
    const run = async (): Promise<T> => {
      const client = this.#client;
      if (client === null) throw new Error('this node has no owner connection');
      // The write-behind and primitives take a PoolClient; they never call release().
      const asPool = client as unknown as pg.PoolClient;
      const explicit = options.singleStatement !== true;
      openUnit(asPool);
      try {
        if (explicit) await client.query('BEGIN');
        const value = await work(asPool);
        await flushPendingWrites(asPool);
        if (explicit) await client.query('COMMIT');
        return value;
      } catch (error) {
        if (explicit) await client.query('ROLLBACK').catch(() => this.#lost(client));
        throw error;
      } finally {
        closeUnit(asPool);
      }
    };
    const result = this.#writes.then(run, run);
    this.#writes = result.catch(() => undefined);
    return result;
  }

  /** One beat: reconnect if needed, take free shards up to this node's share, give extras. */
  tick(): Promise<void> {
    this.#ticking ??= this.#tick().finally(() => {
      this.#ticking = null;
    });
    return this.#ticking;
  }

  async #tick(): Promise<void> {
    const client = await this.#connected();
    const nowMs = Number((await client.query<{ now_ms: bigint }>(sql.nowMs)).rows[0]!.now_ms);
    await client.query(sql.beat, [this.#settings.nodeId, this.#url, nowMs]);
    const live = await client.query<{ node_id: string }>(sql.liveNodes,
      [nowMs - this.#settings.leaseMs]);
    const share = Math.ceil(this.#settings.shardCount / Math.max(1, live.rows.length));
    const taken = await this.#take(client, share, nowMs);
    const given = await this.#giveBack(client, share);
    if (taken || given) await this.#readDirectory();
  }

  async #take(client: pg.Client, share: number, nowMs: number): Promise<boolean> {
    let taken = false;
    for (let shard = 0; shard < this.#settings.shardCount && this.#owned.size < share;
      shard += 1) {
      if (this.#owned.has(shard)) continue;
      const { rows } = await client.query<{ locked: boolean }>(sql.tryLock, [shard]);
      if (rows[0]?.locked !== true) continue;
      await client.query(sql.claim, [shard, this.#settings.nodeId, this.#url, nowMs]);
      this.#owned.add(shard);
      taken = true;
    }
    // Memory is loaded after the locks are held, so no other node can commit to these trees
    // between the snapshot and the first decision.
    if (taken) await this.#onChange();
    return taken;
  }

  /** Shards above this node's share, given back once everything decided on them is durable. */
  async #giveBack(client: pg.Client, share: number): Promise<boolean> {
    const extra = this.ownedShards.slice(share);
    if (extra.length === 0) return false;
    for (const shard of extra) this.#owned.delete(shard);
    await this.#onChange();
    for (const shard of extra) await client.query(sql.unlock, [shard]);
    return true;
  }

  async #connected(): Promise<pg.Client> {
    if (this.#client !== null) return this.#client;
    const client = await this.#database.connectDedicated();
    client.on('error', () => this.#lost(client));
    await client.query(keepaliveSql);
    this.#client = client;
    return client;
  }

  /** The owner connection broke: every lock went with it. */
  #lost(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = null;
    client.end().catch(() => undefined);
    if (this.#owned.size === 0) return;
    this.#owned.clear();
    this.#onChange().catch((error: unknown) => this.#onError(error));
  }

  async #readDirectory(): Promise<void> {
    const { rows } = await this.#database.pool.query<{ shard: number; node_id: string;
      url: string }>(sql.shards);
    this.#directory = new Map(rows.map((row) => [row.shard,
      { nodeId: row.node_id, url: row.url }]));
  }

  /** Gives every shard back and leaves the directory (graceful stop). */
  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    await this.#ticking?.catch(() => undefined);
    const client = this.#client;
    if (client === null) return;
    this.#owned.clear();
    await this.#onChange().catch(() => undefined);
    await this.#writes.catch(() => undefined);
    await client.query(sql.forget, [this.#settings.nodeId]).catch(() => undefined);
    this.#client = null;
    await client.end().catch(() => undefined);
  }
}
