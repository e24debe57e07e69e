import type { ChargingService } from '@tollgate/core';
import type { MeteredProtocol, TollgateMetrics } from './metrics.ts';

const outcomes = ['granted', 'refused', 'done', 'rejected', 'failed'] as const;
type Operation = 'authorize' | 'update' | 'terminate' | 'event' | 'kill';
type Outcome = (typeof outcomes)[number];

interface Counted {
  readonly ok: boolean;
  readonly value?: { readonly status: string };
}

/** granted: time given; done: a call ended or an event charged; refused: an answer saying no. */
function outcomeOf(result: Counted): Outcome {
  if (!result.ok) return 'rejected';
  const status = result.value?.status;
  if (status === 'granted') return 'granted';
  return status === 'terminated' || status === 'charged' || status === 'killed' ? 'done'
    : 'refused';
}

interface OperationMeters {
  readonly seconds: { observe(value: number): void };
  readonly outcomes: ReadonlyMap<Outcome, { inc(): void }>;
}

/** Awaits one charging step (started at `startedMs`) and records it; no closure per call. */
async function measured<R extends Counted>(meters: OperationMeters, startedMs: number,
  pending: Promise<R>): Promise<R> {
  let outcome: Outcome = 'failed';
  try {
    const result = await pending;
    outcome = outcomeOf(result);
    return result;
  } finally {
    meters.outcomes.get(outcome)?.inc();
    meters.seconds.observe((performance.now() - startedMs) / 1_000);
  }
}

/**
 * The charging service a switch front end (RADIUS, Diameter, FreeSWITCH) calls, counting each
 * step by outcome and timing it. The series are made here, once; a call costs two clock reads,
 * one counter increment and one histogram observation.
 */
export function meteredCharging(charging: ChargingService, metrics: TollgateMetrics | undefined,
  protocol: Exclude<MeteredProtocol, 'http'>): ChargingService {
  if (metrics === undefined) return charging;
  const meters = (operation: Operation): OperationMeters => ({
    seconds: metrics.requestSeconds.labels(protocol, operation),
    outcomes: new Map(outcomes.map((outcome) =>
      [outcome, metrics.requests.labels(protocol, operation, outcome)])),
  });
  const authorize = meters('authorize');
  const update = meters('update');
  const terminate = meters('terminate');
  const event = meters('event');
  const kill = meters('kill');
  return {
    authorize: (input) => measured(authorize, performance.now(), charging.authorize(input)),
    update: (input) => measured(update, performance.now(), charging.update(input)),
    terminate: (input) => measured(terminate, performance.now(), charging.terminate(input)),
    event: (input) => measured(event, performance.now(), charging.event(input)),
    kill: (input) => measured(kill, performance.now(), charging.kill(input)),
    sweepStaleSessions: () => charging.sweepStaleSessions(),
    listLiveSessions: (query) => charging.listLiveSessions(query),
    listCdrs: (query) => charging.listCdrs(query),
    getSessionAccountId: (sessionId) => charging.getSessionAccountId(sessionId),
    createBundle: (input) => charging.createBundle(input),
    listBundles: (accountId) => charging.listBundles(accountId),
  };
}
