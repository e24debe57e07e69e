import type { DiameterMessage } from './diameter-codec.ts';

/** What became of a request Tollgate sent to a peer (DWR, DPR, RAR, ASR). */
export type PeerRequestOutcome =
  | { readonly kind: 'answered'; readonly answer: DiameterMessage }
  /** No answer within the caller's time (RFC 6733 has no retransmission for these). */
  | { readonly kind: 'timeout' }
  /** The connection closed (or was not open) before an answer came. */
  | { readonly kind: 'closed' }
  /** Too many requests of this connection await their answers already. */
  | { readonly kind: 'busy' };

interface Waiting {
  readonly resolve: (outcome: PeerRequestOutcome) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * The requests one connection sent and still awaits, by Hop-by-Hop id (RFC 6733 6.2: an answer
 * carries its request's id). Bounded; each wait ends by answer, timeout or close, so nothing
 * stays behind.
 */
export class PendingRequests {
  readonly #waiting = new Map<number, Waiting>();
  readonly #pendingMax: number;
  #nextHopByHopId = 1;

  constructor(pendingMax: number) {
    this.#pendingMax = pendingMax;
  }

  get size(): number {
    return this.#waiting.size;
  }

  get full(): boolean {
    return this.#waiting.size >= this.#pendingMax;
  }

  /** A fresh Hop-by-Hop id, unique on this connection until it wraps at 2^32. */
  nextId(): number {
    const id = this.#nextHopByHopId;
    this.#nextHopByHopId = (this.#nextHopByHopId + 1) >>> 0 || 1;
    return id;
  }

  /** Waits for the answer to request `hopByHopId`, at most `timeoutMs`. */
  wait(hopByHopId: number, timeoutMs: number): Promise<PeerRequestOutcome> {
    if (this.full) return Promise.resolve({ kind: 'busy' });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(hopByHopId);
        resolve({ kind: 'timeout' });
      }, timeoutMs);
      timer.unref();
      this.#waiting.set(hopByHopId, { resolve, timer });
    });
  }

  /** Hands an answer to its waiting request; false when none waits (late or unknown). */
  answered(message: DiameterMessage): boolean {
    const waiting = this.#waiting.get(message.hopByHopId);
    if (waiting === undefined) return false;
    this.#waiting.delete(message.hopByHopId);
    clearTimeout(waiting.timer);
    waiting.resolve({ kind: 'answered', answer: message });
    return true;
  }

  /** The connection is gone: every wait ends now. */
  closeAll(): void {
    for (const waiting of this.#waiting.values()) {
      clearTimeout(waiting.timer);
      waiting.resolve({ kind: 'closed' });
    }
    this.#waiting.clear();
  }
}
