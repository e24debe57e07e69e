import { createSocket, type Socket } from 'node:dgram';
import radius from 'radius';
import { radclient, radiusSecret } from './radius-harness.ts';

export const prepaidNasLimits = {
  /** How often the NAS looks at its clock, its Session-Timeout and its interim schedule. */
  tickMs: 50,
  /** No call of these tests lasts longer. */
  callSecondsMax: 60,
} as const;

/**
 * The RFC 5176 side of a prepaid NAS (no real NAS runs here): it listens on its dynamic
 * authorization port, decodes each request with the `radius` package (which checks the
 * Request Authenticator against the shared secret), acknowledges it, and keeps each call's
 * latest Session-Timeout and whether it was told to disconnect. What the NAS sends (Access,
 * Start, Interim-Update, Stop) goes through the real radclient (runPrepaidCall).
 */
export class PrepaidNas {
  readonly coas: Array<{ acctSessionId: string; sessionTimeout: number; atMs: number }> = [];
  readonly disconnects: Array<{ acctSessionId: string; atMs: number }> = [];
  readonly #socket: Socket;

  private constructor(socket: Socket) {
    this.#socket = socket;
  }

  static async start(): Promise<PrepaidNas> {
    const socket = createSocket('udp4');
    const nas = new PrepaidNas(socket);
    socket.on('message', (bytes, remote) => nas.#answer(bytes, remote.port, remote.address));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return nas;
  }

  get port(): number {
    return this.#socket.address().port;
  }

  /** The call's Session-Timeout: the last CoA's, or `initial` (the Access-Accept's). */
  sessionTimeoutOf(acctSessionId: string, initial: number): number {
    return this.coas.filter((coa) => coa.acctSessionId === acctSessionId)
      .at(-1)?.sessionTimeout ?? initial;
  }

  disconnected(acctSessionId: string): boolean {
    return this.disconnects.some((request) => request.acctSessionId === acctSessionId);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }

  #answer(bytes: Buffer, port: number, address: string) {
    // A request with a wrong authenticator throws here and is not answered, as a NAS does.
    const packet = radius.decode({ packet: bytes, secret: radiusSecret });
    const acctSessionId = String(packet.attributes['Acct-Session-Id']);
    if (packet.code === 'CoA-Request') {
      this.coas.push({ acctSessionId, atMs: Date.now(),
        sessionTimeout: Number(packet.attributes['Session-Timeout']) });
      this.#socket.send(radius.encode_response({ packet, code: 'CoA-ACK',
        secret: radiusSecret }), port, address);
    } else if (packet.code === 'Disconnect-Request') {
      this.disconnects.push({ acctSessionId, atMs: Date.now() });
      this.#socket.send(radius.encode_response({ packet, code: 'Disconnect-ACK',
        secret: radiusSecret }), port, address);
    }
  }
}

export interface PrepaidCallRun {
  readonly endedBy: 'caller' | 'session_timeout' | 'disconnect';
  /** The Acct-Session-Time of the Stop. */
  readonly seconds: number;
  readonly interims: number;
  /** From the Access-Accept. */
  readonly interimInterval: number;
}

/**
 * One call as a prepaid NAS runs it, in real time: Access-Request, Start, an Interim-Update
 * every Acct-Interim-Interval, and a Stop when the caller hangs up (`callSeconds`), when the
 * Session-Timeout is reached (unless `enforcesSessionTimeout` is false: a NAS that ignores
 * it), or when a Disconnect-Request came. Acct-Session-Time counts whole seconds.
 */
export async function runPrepaidCall(options: { nas: PrepaidNas; authPort: number;
  acctPort: number; account: string; callId: string; callSeconds: number;
  enforcesSessionTimeout?: boolean }): Promise<PrepaidCallRun> {
  const { nas, callId, account } = options;
  const accepted = await radclient({ port: options.authPort, kind: 'auth',
    attributes: `User-Name="${account}", User-Password="x", ` +
      `Calling-Station-Id="15551230000", Called-Station-Id="+442079460000", ` +
      `Acct-Session-Id="${callId}", Message-Authenticator=0x00` });
  if (!accepted.output.includes('Received Access-Accept')) {
    throw new Error(`not accepted:\n${accepted.output}`);
  }
  const initialTimeout = Number(/Session-Timeout = (\d+)/.exec(accepted.output)?.[1]);
  const interimInterval = Number(/Acct-Interim-Interval = (\d+)/.exec(accepted.output)?.[1]);
  if (!(interimInterval > 0)) throw new Error(`no Acct-Interim-Interval:\n${accepted.output}`);
  const accounting = async (status: string, seconds?: number, cause?: string) => {
    const answered = await radclient({ port: options.acctPort, kind: 'acct',
      attributes: `User-Name="${account}", Acct-Status-Type=${status}, ` +
        `Acct-Session-Id="${callId}", NAS-IP-Address=127.0.0.1` +
        (seconds === undefined ? '' : `, Acct-Session-Time=${seconds}`) +
        (cause === undefined ? '' : `, Acct-Terminate-Cause=${cause}`) });
    if (!answered.output.includes('Received Accounting-Response')) {
      throw new Error(`${status} not answered:\n${answered.output}`);
    }
  };
  await accounting('Start');
  const startedAtMs = Date.now();
  let nextInterim = interimInterval;
  let interims = 0;
  const stop = async (endedBy: PrepaidCallRun['endedBy'], seconds: number, cause: string) => {
    await accounting('Stop', seconds, cause);
    return { endedBy, seconds, interims, interimInterval };
  };
  for (;;) {
    const elapsed = Math.floor((Date.now() - startedAtMs) / 1000);
    if (elapsed > prepaidNasLimits.callSecondsMax) throw new Error('call never ended');
    if (nas.disconnected(callId)) return stop('disconnect', elapsed, 'Admin-Reset');
    const timeout = nas.sessionTimeoutOf(callId, initialTimeout);
    if (options.enforcesSessionTimeout !== false && elapsed >= timeout) {
      return stop('session_timeout', timeout, 'Session-Timeout');
    }
    if (elapsed >= options.callSeconds) return stop('caller', options.callSeconds, 'User-Request');
    if (elapsed >= nextInterim) {
      await accounting('Interim-Update', elapsed);
      interims += 1;
      nextInterim += interimInterval;
    }
    await new Promise((resolve) => setTimeout(resolve, prepaidNasLimits.tickMs));
  }
}
