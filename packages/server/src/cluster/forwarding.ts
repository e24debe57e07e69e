import {
  decodeLedgerJson,
  encodeLedgerJson,
  NotOwnedHere,
  problem,
  type ChargingService,
  type LedgerService,
  type Result,
} from '@tollgate/core';

/** The use cases a node hands to the owner of a tree: every write of charging and ledger. */
export const forwardedMethods = {
  charging: ['authorize', 'update', 'terminate', 'event', 'kill', 'createBundle'],
  ledger: ['createAccount', 'updateAccount', 'topup', 'recordPayment', 'adjust', 'postCharge',
    'refund', 'reserveChain', 'commitReservation', 'releaseReservation', 'getExchangeRate'],
} as const;

export type ServiceName = keyof typeof forwardedMethods;

/** One use case call as it travels between nodes (bigints tagged, see encodeLedgerJson). */
export interface ClusterCall {
  readonly service: ServiceName;
  readonly method: string;
  readonly input: unknown;
}

export function encodeCall(call: ClusterCall): string {
  return encodeLedgerJson(call);
}

export function decodeCall(text: string): ClusterCall | null {
  const call = decodeLedgerJson(text) as Partial<ClusterCall> | null;
  if (call === null || typeof call !== 'object' || typeof call.method !== 'string') return null;
  if (call.service !== 'charging' && call.service !== 'ledger') return null;
  const methods: readonly string[] = forwardedMethods[call.service];
  return methods.includes(call.method) ? call as ClusterCall : null;
}

/** Sends a call to the node that owns `rootId` and returns its result. */
export interface Forwarder {
  forward(rootId: string, call: ClusterCall): Promise<Result<unknown, string>>;
}

/** A tree whose owner cannot be reached now: the client should retry shortly. */
export function ownerUnavailable(rootId: string, why: string): Result<never, string> {
  return problem('owner_unavailable', `the node owning account tree ${rootId} ` +
    `cannot be reached (${why}); retry`);
}

type AnyMethod = (input: unknown) => Promise<unknown>;

/**
 * `local` with every write of `service` handed to the tree's owner when this node does not own
 * it: the local engine refuses such a request before deciding anything (NotOwnedHere), so
 * forwarding it whole cannot decide anything twice.
 */
function forwarding<S extends object>(local: S, service: ServiceName, forwarder: Forwarder,
  onForwarded: (method: string, input: unknown, rootId: string) => void): S {
  const wrapped = { ...local } as Record<string, unknown>;
  for (const method of forwardedMethods[service]) {
    const own = (local as Record<string, AnyMethod>)[method];
    if (own === undefined) continue;
    wrapped[method] = async (input: unknown) => {
      try {
        return await own.call(local, input);
      } catch (error) {
        if (!(error instanceof NotOwnedHere)) throw error;
        onForwarded(method, input, error.rootId);
        return forwarder.forward(error.rootId, { service, method, input });
      }
    };
  }
  return wrapped as S;
}

/**
 * `onSessionForwarded`: an authorize went to the owner of its tree; the session's updates and
 * terminate will too, and the local engine can say so without loading the session first.
 */
export function forwardingCharging(local: ChargingService, forwarder: Forwarder,
  onSessionForwarded: (sessionId: string, rootId: string) => void = () => undefined):
  ChargingService {
  return forwarding(local, 'charging', forwarder, (method, input, rootId) => {
    const sessionId = (input as { sessionId?: unknown } | null)?.sessionId;
    if (method === 'authorize' && typeof sessionId === 'string') {
      onSessionForwarded(sessionId, rootId);
    }
  });
}

export function forwardingLedger(local: LedgerService, forwarder: Forwarder): LedgerService {
  return forwarding(local, 'ledger', forwarder, () => undefined);
}
