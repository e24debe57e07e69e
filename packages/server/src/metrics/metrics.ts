import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
} from 'prom-client';
import type { EngineStats } from '@tollgate/core';
import { RequestTable } from './request-series.ts';

/** Where a request came in. HTTP counts routes; the switch protocols count charging steps. */
export type MeteredProtocol = 'http' | 'radius' | 'diameter' | 'esl';

/** Bounds of the histograms (seconds, records): fixed, so every series has the same buckets. */
export const metricBuckets = {
  requestSeconds: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  commitSeconds: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
  batchRecords: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 20_000],
} as const;

/** What one scrape reads from storage (database-wide, the same on every node of it). */
export interface OperationsSnapshot {
  readonly liveSessions: number;
  /** Money held for live calls by currency and tier of the account it is held on, in micros. */
  readonly held: ReadonlyArray<{ currency: string; tier: string; micros: bigint }>;
  readonly fraudMeasuresActive: ReadonlyArray<{ kind: string; count: number }>;
}

/** The node's state a scrape reads: nothing here is counted on the request path. */
export interface ScrapeSources {
  engineStats(): EngineStats | null;
  deckCache(): { decks: number; decksMax: number; bytes: number; loads: number };
  operations(): Promise<OperationsSnapshot>;
}

/** Prometheus keeps float64: money in micros is exact below 2^53 micros (9 billion units). */
function microsAsSample(micros: bigint): number {
  return Number(micros);
}

/**
 * Every metric of a Tollgate process, on its own registry (not prom-client's global one, so
 * two servers in one test process do not mix). Request counters and histograms are observed
 * where requests are answered, through children created once per route or operation
 * (`http-metrics.ts`, `metered-charging.ts`); everything else is read when scraped (`refresh`).
 */
export class TollgateMetrics {
  readonly registry = new Registry();
  /** Requests by protocol, route and outcome, with their durations (`request-series.ts`). */
  readonly requests = new RequestTable(metricBuckets.requestSeconds);
  readonly batchRecords = new Histogram({ name: 'tollgate_engine_batch_records',
    help: 'Journal records per committed batch of the charging engine',
    registers: [this.registry], buckets: [...metricBuckets.batchRecords] });
  readonly commitSeconds = new Histogram({ name: 'tollgate_engine_commit_duration_seconds',
    help: 'Time to store and commit one batch of the charging engine',
    registers: [this.registry], buckets: [...metricBuckets.commitSeconds] });
  readonly sweeperRuns = new Counter({ name: 'tollgate_sweeper_runs_total',
    help: 'Sweeps for stale sessions, by result (ok, failed)', registers: [this.registry],
    labelNames: ['result'] as const });
  readonly sweeperClosed = new Counter({ name: 'tollgate_sweeper_closed_sessions_total',
    help: 'Stale sessions the sweeper closed (a lost BYE, a crashed switch)',
    registers: [this.registry] });
  readonly reconcileRuns = new Counter({ name: 'tollgate_reconciliation_runs_total',
    help: 'Scheduled reconciliations, by result (ok, differences, failed)',
    registers: [this.registry], labelNames: ['result'] as const });
  readonly reconcileFindings = new Counter({ name: 'tollgate_reconciliation_findings_total',
    help: 'Differences the scheduled reconciliations found (alert when it grows)',
    registers: [this.registry] });
  readonly fraudActions = new Counter({ name: 'tollgate_fraud_actions_total',
    help: 'Fraud alerts raised by this node, by action (alert, block_destination, suspend) ' +
      'and rule', registers: [this.registry], labelNames: ['action', 'rule'] as const });
  readonly #liveSessions = new Gauge({ name: 'tollgate_live_sessions',
    help: 'Live calls in the database (every node of it reports the same number)',
    registers: [this.registry] });
  readonly #heldMicros = new Gauge({ name: 'tollgate_held_micros',
    help: 'Money held for live calls in the database, in millionths of the currency, by ' +
      'currency and tier of the account it is held on', registers: [this.registry],
    labelNames: ['currency', 'tier'] as const });
  readonly #fraudMeasures = new Gauge({ name: 'tollgate_fraud_measures_active',
    help: 'Fraud blocks and suspensions in force, by kind', registers: [this.registry],
    labelNames: ['kind'] as const });
  readonly #engineCounters = {
    decisions: this.#engineCounter('decisions', 'Charging decisions taken by the engine'),
    batches: this.#engineCounter('batches', 'Batches the engine committed'),
    failedBatches: this.#engineCounter('failed_batches', 'Batches that failed to commit'),
    faults: this.#engineCounter('faults', 'Decisions rerun after loading what memory lacked'),
  };
  readonly #engineSessions = new Gauge({ name: 'tollgate_engine_sessions_in_memory',
    help: 'Sessions the engine holds in memory (live and recently closed)',
    registers: [this.registry] });
  readonly #deckDecks = new Gauge({ name: 'tollgate_deck_cache_decks',
    help: 'Parsed rate decks in memory', registers: [this.registry] });
  readonly #deckDecksMax = new Gauge({ name: 'tollgate_deck_cache_decks_max',
    help: 'Parsed rate decks kept at most (deckCacheDecksMax)', registers: [this.registry] });
  readonly #deckBytes = new Gauge({ name: 'tollgate_deck_cache_bytes',
    help: 'Estimated memory of the parsed rate decks', registers: [this.registry] });
  readonly #deckLoads = new Counter({ name: 'tollgate_deck_cache_loads_total',
    help: 'Rate decks parsed from storage because memory lacked them (cache misses)',
    registers: [this.registry] });
  #sources: ScrapeSources | null = null;

  constructor(options: { processMetrics: boolean }) {
    // Kept in plain numbers on the request path, printed by the registry at scrape time.
    const requestsTotal = this.requests.counter('tollgate_requests_total', 'Requests ' +
      'answered, by protocol, route (HTTP: method and path pattern; switches: the charging ' +
      'step) and outcome (HTTP: status code; switches: granted, refused, done, rejected or ' +
      'failed)');
    const requestSeconds = this.requests.histogram('tollgate_request_duration_seconds',
      'Time to answer a request, by protocol and route');
    for (const metric of [requestsTotal, requestSeconds]) {
      // prom-client's registry prints any object that answers `get` as its own metrics do.
      this.registry.registerMetric(metric as unknown as Counter);
    }
    // Process and event-loop metrics (CPU, memory, GC, loop delay), as prom-client names them.
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Tells the scrape where the node's state is (once the services are open). */
  readFrom(sources: ScrapeSources): void {
    this.#sources = sources;
  }

  /** Reads the scrape-time values; storage is read once per scrape. */
  async refresh(): Promise<void> {
    const sources = this.#sources;
    if (sources === null) return;
    const stats = sources.engineStats();
    if (stats !== null) {
      setCounter(this.#engineCounters.decisions, stats.decisions);
      setCounter(this.#engineCounters.batches, stats.batches);
      setCounter(this.#engineCounters.failedBatches, stats.failedBatches);
      setCounter(this.#engineCounters.faults, stats.faults);
      this.#engineSessions.set(stats.sessionsInMemory);
    }
    const decks = sources.deckCache();
    this.#deckDecks.set(decks.decks);
    this.#deckDecksMax.set(decks.decksMax);
    this.#deckBytes.set(decks.bytes);
    setCounter(this.#deckLoads, decks.loads);
    const operations = await sources.operations();
    this.#liveSessions.set(operations.liveSessions);
    this.#heldMicros.reset();
    for (const held of operations.held) {
      this.#heldMicros.set({ currency: held.currency, tier: held.tier },
        microsAsSample(held.micros));
    }
    this.#fraudMeasures.reset();
    for (const measure of operations.fraudMeasuresActive) {
      this.#fraudMeasures.set({ kind: measure.kind }, measure.count);
    }
  }

  /** The exposition text (Prometheus text format 0.0.4) and its content type. */
  async scrape(): Promise<{ text: string; contentType: string }> {
    await this.refresh();
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }

  #engineCounter(name: string, help: string): Counter {
    return new Counter({ name: `tollgate_engine_${name}_total`, help,
      registers: [this.registry] });
  }
}

/** A counter kept elsewhere (the engine's, the deck cache's), copied at scrape time. */
function setCounter(counter: Counter, total: number): void {
  counter.reset();
  counter.inc(total);
}
