import { connect, type Socket } from 'node:net';
import { decodeAvps, type Avp, type DiameterMessage } from '../../src/diameter/diameter-codec.ts';
import { FrameReader } from '../../src/diameter/frame-reader.ts';
import { capabilitiesRequest } from './diameter-frames.ts';
import { WakeSignal } from './wake-signal.ts';

/**
 * A raw Diameter peer for the server fuzz: writes any bytes, and waits for the next frame or
 * the close by events (no polling), so a case costs one round trip.
 */
export class FuzzPeer {
  readonly #socket: Socket;
  readonly #frames: Buffer[] = [];
  #closed = false;
  readonly #signal = new WakeSignal();

  private constructor(socket: Socket) {
    this.#socket = socket;
    const reader = new FrameReader(1 << 20);
    socket.on('data', (chunk: Buffer) => {
      this.#frames.push(...reader.push(chunk).frames);
      this.#signal.wake();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#signal.wake();
    });
    socket.on('error', () => undefined);
  }

  /** Connects and passes the capabilities exchange. */
  static async open(port: number): Promise<FuzzPeer> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const peer = new FuzzPeer(socket);
    peer.write(capabilitiesRequest());
    const cea = await peer.next(5_000);
    if (cea === 'closed' || cea === 'silent') throw new Error(`CER answered: ${cea}`);
    return peer;
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(bytes: Uint8Array): void {
    this.#socket.write(bytes);
  }

  /** The next frame, 'closed' once the server has closed, or 'silent' after `timeoutMs`. */
  async next(timeoutMs: number): Promise<Buffer | 'closed' | 'silent'> {
    await this.#signal.until(() => this.#frames.length > 0 || this.#closed, timeoutMs);
    const frame = this.#frames.shift();
    if (frame !== undefined) return frame;
    return this.#closed ? 'closed' : 'silent';
  }

  destroy(): void {
    this.#socket.destroy();
  }
}

/** The top-level Result-Code of an answer, or its Experimental-Result-Code; else undefined. */
export function resultCodeOf(answer: DiameterMessage): number | undefined {
  const unsigned = (found: Avp | undefined) => found === undefined || found.data.length !== 4
    ? undefined : Buffer.from(found.data).readUInt32BE(0);
  const plain = answer.avps.find((found) => found.code === 268);
  if (plain !== undefined) return unsigned(plain);
  const experimental = answer.avps.find((found) => found.code === 297);
  if (experimental === undefined) return undefined;
  return unsigned(decodeAvps(experimental.data, 1).find((found) => found.code === 298));
}
