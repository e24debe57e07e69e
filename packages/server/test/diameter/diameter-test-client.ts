import { connect, type Socket } from 'node:net';
import {
  avp,
  decodeMessage,
  encodeMessage,
  type DiameterMessage,
  type OutAvp,
} from '../../src/diameter/diameter-codec.ts';
import { FrameReader } from '../../src/diameter/frame-reader.ts';

/**
 * A minimal Diameter client for the server's own tests: requests by hop-by-hop id, answers
 * matched back. The independent clients (Erlang/OTP diameter, Kamailio cdp) live in their own
 * tests.
 */
export class TestDiameterClient {
  readonly socket: Socket;
  readonly #reader = new FrameReader(1 << 20);
  readonly #waiting = new Map<number, (message: DiameterMessage) => void>();
  readonly requests: DiameterMessage[] = [];
  #nextId = 1;
  closed: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.#reader.push(chunk).frames) {
        const message = decodeMessage(frame);
        if ((message.flags & 0x80) !== 0) {
          this.requests.push(message);
          continue;
        }
        this.#waiting.get(message.hopByHopId)?.(message);
        this.#waiting.delete(message.hopByHopId);
      }
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async open(port: number): Promise<TestDiameterClient> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new TestDiameterClient(socket);
  }

  /** Sends a request and waits for its answer. */
  request(commandCode: number, applicationId: number, avps: readonly OutAvp[],
    flags = 0x80): Promise<DiameterMessage> {
    const id = this.#nextId;
    this.#nextId += 1;
    const answer = new Promise<DiameterMessage>((resolve) => this.#waiting.set(id, resolve));
    this.socket.write(encodeMessage({ flags, commandCode, applicationId, hopByHopId: id,
      endToEndId: id }, avps));
    return answer;
  }

  /** Raw bytes, for framing and fuzz tests. */
  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  capabilitiesExchange(host = 'client.test.local'): Promise<DiameterMessage> {
    return this.request(257, 0, [avp('Origin-Host', host), avp('Origin-Realm', 'test.local'),
      avp('Host-IP-Address', '127.0.0.1'), avp('Vendor-Id', 0),
      avp('Product-Name', 'test-client'), avp('Auth-Application-Id', 4)]);
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface CcrSpec {
  readonly sessionId: string;
  readonly type: 1 | 2 | 3 | 4;
  readonly number: number;
  readonly subscription?: { readonly type: number; readonly data: string };
  readonly called?: string;
  readonly requestedSeconds?: number;
  readonly usedSeconds?: number;
  readonly extra?: readonly OutAvp[];
}

/** A CCR shaped like Kamailio's: MSCC with RSU/USU, Called-Party-Address in IMS-Information. */
export function ccrAvps(spec: CcrSpec): OutAvp[] {
  const units = [
    ...(spec.usedSeconds === undefined ? []
      : [avp('Used-Service-Unit', [avp('CC-Time', spec.usedSeconds)])]),
    ...(spec.requestedSeconds === undefined ? []
      : [avp('Requested-Service-Unit', [avp('CC-Time', spec.requestedSeconds)])]),
  ];
  return [
    avp('Session-Id', spec.sessionId),
    avp('Origin-Host', 'client.test.local'),
    avp('Origin-Realm', 'test.local'),
    avp('Destination-Realm', 'test.local'),
    avp('Auth-Application-Id', 4),
    avp('Service-Context-Id', '32260@3gpp.org'),
    avp('CC-Request-Type', spec.type),
    avp('CC-Request-Number', spec.number),
    ...(spec.subscription === undefined ? [] : [avp('Subscription-Id', [
      avp('Subscription-Id-Type', spec.subscription.type),
      avp('Subscription-Id-Data', spec.subscription.data)])]),
    avp('Multiple-Services-Credit-Control', [...units, avp('Service-Identifier', 1000),
      avp('Rating-Group', 100)]),
    ...(spec.called === undefined ? [] : [avp('Service-Information', [avp('IMS-Information',
      [avp('Called-Party-Address', spec.called)])])]),
    ...(spec.extra ?? []),
  ];
}
