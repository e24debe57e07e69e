import type { ChargingService } from '@tollgate/core';

interface UsageEntry {
  /** Cumulative seconds reported up to and including `requestNumber`. */
  readonly usedSeconds: number;
  readonly requestNumber: number;
}

/**
 * Diameter clients report used seconds per report (USU since the last CCR); the charging core
 * takes cumulative seconds. This keeps each live session's running total, from the core's own
 * answers (GrantAnswer.usedSeconds), in a bounded map; a session it does not know (after a
 * restart, or another node served the last request) is read back from the live sessions.
 */
export class SessionUsage {
  readonly #entries = new Map<string, UsageEntry>();
  readonly #entriesMax: number;

  constructor(entriesMax: number) {
    this.#entriesMax = entriesMax;
  }

  remember(sessionId: string, entry: UsageEntry): void {
    this.#entries.delete(sessionId);
    this.#entries.set(sessionId, entry);
    if (this.#entries.size > this.#entriesMax) {
      // Maps iterate in insertion order: the first key is the least recently used.
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  forget(sessionId: string): void {
    this.#entries.delete(sessionId);
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The cumulative seconds to give the core for report `requestNumber` adding `reportedSeconds`.
   * A retransmission (same number as the last one) is replayed by the core whatever this says.
   */
  async cumulativeSeconds(options: {
    readonly charging: ChargingService;
    readonly sessionId: string;
    readonly requestNumber: number;
    readonly reportedSeconds: number;
  }): Promise<number> {
    const { sessionId, requestNumber, reportedSeconds } = options;
    // Only the entry of the previous (or the same) request is current: another node may
    // have served the requests in between.
    const cached = this.#entries.get(sessionId);
    const current = cached !== undefined && (cached.requestNumber === requestNumber ||
      cached.requestNumber === requestNumber - 1);
    const known = current ? cached : await lookupLiveUsage(options.charging, sessionId);
    if (known === null) return reportedSeconds;
    if (known.requestNumber === requestNumber) return known.usedSeconds;
    return known.usedSeconds + reportedSeconds;
  }
}

/**
 * The greatest printable-ASCII string below `sessionId` that no session id can fall between:
 * the last character minus one, then DEL (session ids are printable ASCII, charging-input.ts).
 */
function predecessorOf(sessionId: string): string {
  const last = sessionId.charCodeAt(sessionId.length - 1);
  return `${sessionId.slice(0, -1)}${String.fromCharCode(last - 1)}\x7f`;
}

async function lookupLiveUsage(
  charging: ChargingService,
  sessionId: string,
): Promise<UsageEntry | null> {
  if (sessionId.length === 0) return null;
  const accountId = await charging.getSessionAccountId(sessionId);
  if (accountId === null) return null;
  const listed = await charging.listLiveSessions({ scopeAccountId: accountId,
    afterSessionId: predecessorOf(sessionId), limit: 1 });
  const live = listed.ok ? listed.value[0] : undefined;
  if (live === undefined || live.sessionId !== sessionId) return null;
  // The live view does not say which request reported it; -1 never equals a real number.
  return { usedSeconds: live.usedSeconds, requestNumber: -1 };
}
