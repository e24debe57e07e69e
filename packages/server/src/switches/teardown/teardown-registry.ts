import type { IntegrationName, SessionOrigin } from './session-origins.ts';

/** Why a call could not be reached on its switch. Stable codes, logged and answered. */
export const teardownFailureCodes = [
  'no_driver',
  'switch_unreachable',
  'switch_refused',
  'teardown_timeout',
  'call_ref_missing',
] as const;
export type TeardownFailureCode = (typeof teardownFailureCodes)[number];

export type TeardownOutcome =
  /** The switch confirmed it is ending the call (uuid_kill +OK, dlg.end_dlg result, DM ACK). */
  | { readonly status: 'ended' }
  /** Nothing to call: the switch learns at its next request (HTTP gets 0 seconds, final). */
  | { readonly status: 'next_request' }
  | { readonly status: 'failed'; readonly code: TeardownFailureCode; readonly detail: string };

/** How one integration ends a call it carries. Never throws: failures are outcomes. */
export interface TeardownDriver {
  endCall(origin: SessionOrigin, reason: string): Promise<TeardownOutcome>;
  /**
   * Seconds the call has used by now as the integration measured them (from the answer),
   * when it knows; the kill charges them instead of charging's estimate.
   */
  usedSecondsOf?(origin: SessionOrigin, nowMs: number): number | undefined;
  /**
   * Asks the switch to re-authorize the live call now (Diameter RAR) because what it may be
   * granted changed (a top-up, a raised limit). Integrations that cannot leave it out: their
   * calls see the change at their next report.
   */
  reauthorize?(origin: SessionOrigin, reason: string): Promise<TeardownOutcome>;
}

/** Integration name -> driver. Integrations register when they start (run-server.ts). */
export class TeardownRegistry {
  readonly #drivers = new Map<IntegrationName, TeardownDriver>();

  register(integration: IntegrationName, driver: TeardownDriver): void {
    this.#drivers.set(integration, driver);
  }

  unregister(integration: IntegrationName, driver: TeardownDriver): void {
    if (this.#drivers.get(integration) === driver) this.#drivers.delete(integration);
  }

  driverOf(integration: IntegrationName): TeardownDriver | undefined {
    return this.#drivers.get(integration);
  }
}

/** The HTTP API's switch is not reachable from here: its next update answers 0 s, final. */
export const httpTeardownDriver: TeardownDriver = {
  endCall: async () => ({ status: 'next_request' }),
};

/** Bounds a driver's call so that a dead switch cannot hold a suspension past its deadline. */
export function endCallWithin(
  driver: TeardownDriver,
  origin: SessionOrigin,
  options: { reason: string; timeoutMs: number },
): Promise<TeardownOutcome> {
  return outcomeWithin(driver.endCall(origin, options.reason), origin, options.timeoutMs);
}

/** A driver's work on `origin`'s call, or `teardown_timeout` once `timeoutMs` has passed. */
export async function outcomeWithin(
  work: Promise<TeardownOutcome>,
  origin: SessionOrigin,
  timeoutMs: number,
): Promise<TeardownOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<TeardownOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'failed', code: 'teardown_timeout',
      detail: `no answer from ${origin.integration} within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([work.catch((error: unknown) =>
      ({ status: 'failed', code: 'switch_unreachable',
        detail: error instanceof Error ? error.message : String(error) }) as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
