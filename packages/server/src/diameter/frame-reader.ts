import { headerBytes } from './diameter-constants.ts';

export type FrameProblem =
  | { readonly kind: 'unsupported_version'; readonly version: number }
  | { readonly kind: 'invalid_length'; readonly length: number };

export type FramePush =
  | { readonly ok: true; readonly frames: Buffer[] }
  | {
    readonly ok: false;
    readonly frames: Buffer[];
    readonly problem: FrameProblem;
    /** The 20 header bytes of the bad frame, to address an error answer; null if fewer came. */
    readonly header: Buffer | null;
  };

/**
 * Cuts a TCP byte stream into Diameter messages: a message split across reads waits for the
 * rest, several in one read come out together. A bad version or length cannot be skipped (the
 * stream has lost its framing), so it is reported once and the reader stops: the caller
 * answers if it can and closes the connection. Memory is bounded by `messageBytesMax`.
 */
export class FrameReader {
  readonly #messageBytesMax: number;
  #pending: Buffer = Buffer.alloc(0);
  #failed = false;

  constructor(messageBytesMax: number) {
    this.#messageBytesMax = messageBytesMax;
  }

  push(chunk: Buffer): FramePush {
    if (this.#failed) return { ok: true, frames: [] };
    let data = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: Buffer[] = [];
    while (data.length >= 4) {
      const version = data[0]!;
      const length = data.readUInt32BE(0) & 0xff_ffff;
      const problem: FrameProblem | null = version !== 1 ? { kind: 'unsupported_version', version }
        : length < headerBytes || length % 4 !== 0 || length > this.#messageBytesMax
          ? { kind: 'invalid_length', length } : null;
      if (problem !== null) {
        this.#failed = true;
        this.#pending = Buffer.alloc(0);
        const header = data.length >= headerBytes ? Buffer.from(data.subarray(0, headerBytes))
          : null;
        return { ok: false, frames, problem, header };
      }
      if (data.length < length) break;
      frames.push(data.subarray(0, length));
      data = data.subarray(length);
    }
    // Copy the tail so a small remainder does not pin a large read buffer.
    this.#pending = data.length === 0 ? Buffer.alloc(0) : Buffer.from(data);
    return { ok: true, frames };
  }

  /** Bytes waiting for the rest of their message. */
  get pendingBytes(): number {
    return this.#pending.length;
  }
}
