import { isIP, type Socket } from 'node:net';
import { encodeAnswer, encodeErrorAnswer, type LocalIdentity } from './base-answers.ts';
import { capabilitiesAvps, checkCapabilities, type PeerPolicy } from './capabilities.ts';
import {
  avp,
  decodeMessage,
  DiameterDecodeError,
  encodeMessage,
  readHeader,
  type DiameterMessage,
} from './diameter-codec.ts';
import {
  applicationIds,
  commandCodes,
  disconnectCauses,
  messageFlags,
  resultCodes,
} from './diameter-constants.ts';
import { FrameReader, type FrameProblem } from './frame-reader.ts';

/** The peer a request came from, after its capabilities exchange. */
export interface PeerInfo {
  readonly host: string;
  readonly realm: string;
}

/** Serves one application request; returns the encoded answer. Throwing answers 5012. */
export type ApplicationHandler = (request: DiameterMessage, peer: PeerInfo) => Promise<Buffer>;

export interface PeerLimits {
  readonly messageBytesMax: number;
  /** Requests of one connection being served at once; more are answered 3004 TOO_BUSY. */
  readonly inFlightMax: number;
  /** A connection that sends no CER within this time is closed. */
  readonly capabilitiesTimeoutMs: number;
  /** A connection silent this long (no request, no watchdog) is closed. */
  readonly idleTimeoutMs: number;
}

export interface PeerContext {
  readonly local: LocalIdentity;
  readonly policy: PeerPolicy;
  readonly limits: PeerLimits;
  readonly handler: ApplicationHandler;
  readonly log: (event: string, detail: Record<string, unknown>) => void;
}

type PeerState = 'waiting_cer' | 'open' | 'closing' | 'closed';

/**
 * One transport connection with a peer (RFC 6733 5): the capabilities exchange, then watchdogs,
 * credit-control requests (answered in any order, as they complete) and the disconnect.
 */
export class PeerConnection {
  readonly #socket: Socket;
  readonly #context: PeerContext;
  readonly #reader: FrameReader;
  #state: PeerState = 'waiting_cer';
  #peer: PeerInfo | null = null;
  #inFlight = 0;
  #nextHopByHopId = 1;
  #drained: (() => void) | null = null;
  #outbox: Buffer[] = [];
  #disconnectAnswered: (() => void) | null = null;
  readonly closed: Promise<void>;

  constructor(socket: Socket, context: PeerContext) {
    this.#socket = socket;
    this.#context = context;
    this.#reader = new FrameReader(context.limits.messageBytesMax);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    socket.setTimeout(context.limits.capabilitiesTimeoutMs);
    socket.on('timeout', () => this.#destroy('timeout'));
    socket.on('error', (error) => this.#context.log('peer_error', { error: error.message }));
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.#state = 'closed';
      this.#drained?.();
      this.#disconnectAnswered?.();
      resolve();
    }));
  }

  #onData(chunk: Buffer): void {
    try {
      const pushed = this.#reader.push(chunk);
      for (const frame of pushed.frames) this.#onFrame(frame);
      if (!pushed.ok) this.#onBrokenFraming(pushed.problem, pushed.header);
    } catch (error) {
      // A defect must cost this connection, never the process and its other peers.
      this.#context.log('peer_defect', { error: error instanceof Error ? error.message
        : String(error) });
      this.#destroy('defect');
    }
  }

  /** The stream lost its framing: answer the bad header if there is one, then close. */
  #onBrokenFraming(problem: FrameProblem, header: Buffer | null): void {
    this.#context.log('peer_framing_error', { ...problem });
    if (header !== null && (header[4]! & messageFlags.request) !== 0) {
      const resultCode = problem.kind === 'unsupported_version' ? resultCodes.unsupportedVersion
        : resultCodes.invalidMessageLength;
      this.#write(encodeErrorAnswer({ request: readHeader(header), local: this.#context.local,
        resultCode, message: `unusable frame: ${problem.kind}` }));
    }
    this.#end();
    this.#state = 'closing';
  }

  #onFrame(frame: Buffer): void {
    if (this.#state === 'closed') return;
    let message: DiameterMessage;
    try {
      message = decodeMessage(frame);
    } catch (error) {
      this.#answerUndecodable(frame, error);
      return;
    }
    if ((message.flags & messageFlags.request) === 0) {
      if (message.commandCode === commandCodes.disconnectPeer) this.#disconnectAnswered?.();
      return;
    }
    if (this.#state === 'open') this.#socket.setTimeout(this.#context.limits.idleTimeoutMs);
    this.#onRequest(message);
  }

  #answerUndecodable(frame: Buffer, error: unknown): void {
    if (!(error instanceof DiameterDecodeError)) throw error;
    const header = readHeader(frame);
    if ((header.flags & messageFlags.request) === 0) return;
    this.#write(encodeErrorAnswer({ request: header, local: this.#context.local,
      resultCode: error.resultCode, message: error.message, failedAvp: error.failedAvp }));
  }

  #onRequest(message: DiameterMessage): void {
    switch (message.commandCode) {
      case commandCodes.capabilitiesExchange:
        this.#onCapabilitiesExchange(message);
        return;
      case commandCodes.deviceWatchdog:
        this.#answerBase(message, resultCodes.success);
        return;
      case commandCodes.disconnectPeer:
        this.#answerBase(message, resultCodes.success);
        this.#state = 'closing';
        this.#end();
        return;
      default:
        this.#onApplicationRequest(message);
    }
  }

  #answerBase(message: DiameterMessage, resultCode: number): void {
    const { local } = this.#context;
    this.#write(encodeAnswer(message, resultCode, [avp('Result-Code', resultCode),
      avp('Origin-Host', local.originHost), avp('Origin-Realm', local.originRealm),
      avp('Origin-State-Id', local.originStateId)]));
  }

  #onCapabilitiesExchange(message: DiameterMessage): void {
    const { local, policy } = this.#context;
    let outcome;
    try {
      outcome = checkCapabilities(message.avps, policy);
    } catch (error) {
      if (!(error instanceof DiameterDecodeError)) throw error;
      outcome = { ok: false as const, resultCode: error.resultCode, message: error.message };
    }
    const address = this.#socket.localAddress ?? '127.0.0.1';
    const hostAddress = isIP(address) === 0 ? '127.0.0.1' : address.replace(/^::ffff:/, '');
    const resultCode = outcome.ok ? resultCodes.success : outcome.resultCode;
    const body = [avp('Result-Code', resultCode), ...capabilitiesAvps(local, hostAddress),
      ...(outcome.ok ? [] : [avp('Error-Message', outcome.message)])];
    this.#write(encodeAnswer(message, resultCode, body));
    if (!outcome.ok) {
      this.#context.log('peer_refused', { resultCode, reason: outcome.message });
      this.#state = 'closing';
      this.#end();
      return;
    }
    this.#peer = { host: outcome.peerHost, realm: outcome.peerRealm };
    this.#state = 'open';
    this.#socket.setTimeout(this.#context.limits.idleTimeoutMs);
    this.#context.log('peer_open', { host: outcome.peerHost, realm: outcome.peerRealm });
  }

  #onApplicationRequest(message: DiameterMessage): void {
    const { local, limits } = this.#context;
    const refuse = (resultCode: number, text: string) => this.#write(encodeErrorAnswer({
      request: message, local, resultCode, message: text }));
    if (this.#state === 'closing') {
      refuse(resultCodes.unableToDeliver, 'Tollgate is shutting down');
      return;
    }
    if (this.#state !== 'open' || this.#peer === null) {
      refuse(resultCodes.unknownPeer, 'no capabilities exchange on this connection');
      this.#state = 'closing';
      this.#end();
      return;
    }
    if (message.commandCode !== commandCodes.creditControl) {
      refuse(resultCodes.commandUnsupported, `command ${message.commandCode} is not served`);
      return;
    }
    if (message.applicationId !== applicationIds.creditControl) {
      refuse(resultCodes.applicationUnsupported, `application ${message.applicationId}`);
      return;
    }
    if (this.#inFlight >= limits.inFlightMax) {
      refuse(resultCodes.tooBusy, 'too many requests in flight on this connection');
      return;
    }
    this.#serve(message, this.#peer);
  }

  #serve(message: DiameterMessage, peer: PeerInfo): void {
    this.#inFlight += 1;
    this.#context.handler(message, peer).then((answer) => this.#write(answer), (error) => {
      this.#context.log('request_failed', { error: error instanceof Error ? error.message
        : String(error) });
      this.#write(encodeErrorAnswer({ request: message, local: this.#context.local,
        resultCode: resultCodes.unableToComply, message: 'internal error' }));
    }).finally(() => {
      this.#inFlight -= 1;
      if (this.#inFlight === 0) this.#drained?.();
    });
  }

  /**
   * Answers are queued and written together once per event-loop turn (one syscall for many
   * answers under load); reading pauses while the peer does not read them, so memory stays
   * bounded.
   */
  #write(bytes: Buffer): void {
    if (this.#socket.destroyed) return;
    this.#outbox.push(bytes);
    if (this.#outbox.length === 1) setImmediate(() => this.#flush());
  }

  #flush(): void {
    const out = this.#outbox;
    if (out.length === 0) return;
    this.#outbox = [];
    if (this.#socket.destroyed || !this.#socket.writable) return;
    if (!this.#socket.write(out.length === 1 ? out[0]! : Buffer.concat(out))) {
      this.#socket.pause();
      this.#socket.once('drain', () => this.#socket.resume());
    }
  }

  /** Closes after what is queued is written (a DPA, a refused CEA). */
  #end(): void {
    this.#flush();
    this.#socket.end();
  }

  #destroy(reason: string): void {
    this.#context.log('peer_closed', { reason, host: this.#peer?.host ?? null });
    this.#socket.destroy();
  }

  /**
   * Graceful shutdown: stop taking requests, let those in flight finish, send DPR
   * (REBOOTING) and wait for the DPA, each bounded by `timeoutMs`; then close.
   */
  async disconnect(timeoutMs: number): Promise<void> {
    if (this.#state === 'closed') return;
    const wasOpen = this.#state === 'open';
    this.#state = 'closing';
    this.#socket.pause();
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    if (this.#inFlight > 0) {
      await Promise.race([new Promise<void>((resolve) => { this.#drained = resolve; }), deadline]);
    }
    if (wasOpen) {
      const answered = new Promise<void>((resolve) => { this.#disconnectAnswered = resolve; });
      this.#socket.resume();
      this.#write(this.#disconnectRequest());
      await Promise.race([answered, deadline]);
    }
    this.#socket.destroy();
    await this.closed;
  }

  #disconnectRequest(): Buffer {
    const { local } = this.#context;
    const id = this.#nextHopByHopId;
    this.#nextHopByHopId += 1;
    return encodeMessage({ flags: messageFlags.request, commandCode: commandCodes.disconnectPeer,
      applicationId: applicationIds.common, hopByHopId: id,
      endToEndId: ((local.originStateId & 0xfff) << 20 | id) >>> 0 },
    [avp('Origin-Host', local.originHost), avp('Origin-Realm', local.originRealm),
      avp('Disconnect-Cause', disconnectCauses.rebooting)]);
  }
}
