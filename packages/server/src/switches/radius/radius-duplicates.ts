/**
 * Retransmission detection (RFC 5080 section 2.2.2): a request with the same source, code,
 * identifier and authenticator as one seen recently is the same request, and gets the same
 * reply bytes without being processed again. A retransmission that arrives while the first
 * copy is still being processed waits for that copy's reply.
 */
export const duplicateLimits = {
  /** How long a reply is kept for retransmissions (NASes retry for a few seconds). */
  replyKeptMs: 30_000,
  entriesMax: 20_000,
} as const;

interface Entry {
  readonly reply: Promise<Buffer | null>;
  readonly atMs: number;
}

export class RadiusDuplicates {
  readonly #entries = new Map<string, Entry>();

  static keyOf(source: string, port: number, raw: Buffer): string {
    return `${source}|${port}|${raw[0]}|${raw[1]}|${raw.subarray(4, 20).toString('hex')}`;
  }

  /** The reply of an earlier copy, or undefined when this request is new. */
  find(key: string, nowMs: number): Promise<Buffer | null> | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || nowMs - entry.atMs > duplicateLimits.replyKeptMs) return undefined;
    return entry.reply;
  }

  remember(key: string, reply: Promise<Buffer | null>, nowMs: number): void {
    // Map iteration is insertion order: the oldest entries go first.
    for (const [oldKey, entry] of this.#entries) {
      if (this.#entries.size < duplicateLimits.entriesMax &&
        nowMs - entry.atMs <= duplicateLimits.replyKeptMs) break;
      this.#entries.delete(oldKey);
    }
    this.#entries.set(key, { reply, atMs: nowMs });
  }

  /** A request that failed is forgotten, so its retransmission is processed again. */
  forget(key: string): void {
    this.#entries.delete(key);
  }
}
