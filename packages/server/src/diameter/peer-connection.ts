import { isIP, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { encodeAnswer, encodeErrorAnswer, type LocalIdentity } from './base-answers.ts';
import { capabilitiesAvps, checkCapabilities, type PeerPolicy } from './capabilities.ts';
import {
  avp,
  decodeMessage,
  DiameterDecodeError,
  encodeMessage,
  readHeader,
  type DiameterMessage,
  type OutAvp,
} from './diameter-codec.ts';
import {
  applicationIds,
  commandCodes,
  disconnectCauses,
  messageFlags,
  resultCodes,
} from './diameter-constants.ts';
import { FrameReader, type FrameProblem } from './frame-reader.ts';
import { PendingRequests, type PeerRequestOutcome } from './peer-requests.ts';

/** A request of Tollgate's own (DWR, DPR, RAR, ASR) and how long to wait for its answer. */
export interface OwnRequest {
  readonly commandCode: number;
  readonly applicationId: number;
  readonly proxiable: boolean;
  readonly avps: readonly OutAvp[];
  readonly timeoutMs: number;
}

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
  /**
   * Tw (RFC 3539 3.4.1, RFC 6733 5.5): after this long without hearing from an open peer,
   * Tollgate sends its own DWR; with no answer within another Tw the peer is closed as dead.
   */
  readonly watchdogIntervalMs: number;
  /** Tw varies by up to this much either way, so peers' watchdogs do not fall in step. */
  readonly watchdogJitterMs: number;
  /** Requests Tollgate sent on one connection (DWR, RAR, ASR) awaiting their answers. */
  readonly requestsPendingMax: number;
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
  #drained: (() => void) | null = null;
  #outbox: Buffer[] = [];
  readonly #requests: PendingRequests;
  #watchdog: NodeJS.Timeout | undefined;
  /** When the peer was last heard from (monotonic ms): the watchdog's Tw counts from it. */
  #heardAtMs = 0;
  #probing = false;
  readonly closed: Promise<void>;

  constructor(socket: Socket, context: PeerContext) {
    this.#socket = socket;
    this.#context = context;
    this.#reader = new FrameReader(context.limits.messageBytesMax);
    this.#requests = new PendingRequests(context.limits.requestsPendingMax);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    socket.setTimeout(context.limits.capabilitiesTimeoutMs);
    socket.on('timeout', () => this.#destroy('timeout'));
    socket.on('error', (error) => this.#context.log('peer_error', { error: error.message }));
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.#state = 'closed';
      clearTimeout(this.#watchdog);
      this.#drained?.();
      this.#requests.closeAll();
      resolve();
    }));
  }

  /** The peer after its capabilities exchange, while the connection is open; else null. */
  get openPeer(): PeerInfo | null {
    return this.#state === 'open' ? this.#peer : null;
  }

  /**
   * Sends a request of Tollgate's own (RAR, ASR) and waits for its answer, at most
   * `timeoutMs`. Only on an open connection; never throws.
   */
  request(message: OwnRequest): Promise<PeerRequestOutcome> {
    if (this.#state !== 'open') return Promise.resolve({ kind: 'closed' });
    return this.#send(message);
  }

  #send(message: OwnRequest): Promise<PeerRequestOutcome> {
    if (this.#requests.full) return Promise.resolve({ kind: 'busy' });
    const id = this.#requests.nextId();
    const answered = this.#requests.wait(id, message.timeoutMs);
    const { local } = this.#context;
    // End-to-End id: the low 12 bits of the start time, then the request's own counter.
    this.#write(encodeMessage({ commandCode: message.commandCode,
      flags: messageFlags.request | (message.proxiable ? messageFlags.proxiable : 0),
      applicationId: message.applicationId, hopByHopId: id,
      endToEndId: ((local.originStateId & 0xfff) << 20 | id & 0xf_ffff) >>> 0 },
    message.avps));
    return answered;
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
    // Anything the peer sends shows it is alive (RFC 3539): Tw counts from now. A timestamp,
    // not a new timer per message: the running timer looks at it when it fires.
    this.#heardAtMs = performance.now();
    if ((message.flags & messageFlags.request) === 0) {
      if (!this.#requests.answered(message)) {
        this.#context.log('peer_unexpected_answer', { command: message.commandCode,
          hopByHopId: message.hopByHopId });
      }
      return;
    }
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
    // From now on the watchdog, not the socket's inactivity, decides whether the peer lives.
    this.#socket.setTimeout(0);
    this.#armWatchdog(this.#twMs());
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

  /** Tw with its jitter, drawn anew each time. */
  #twMs(): number {
    const { watchdogIntervalMs, watchdogJitterMs } = this.#context.limits;
    return watchdogIntervalMs + Math.round((Math.random() * 2 - 1) * watchdogJitterMs);
  }

  #armWatchdog(delayMs: number): void {
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(() => void this.#onWatchdog(), Math.max(1, delayMs));
    this.#watchdog.unref();
  }

  /** The timer fired: heard from within Tw, wait the rest of it; silent for Tw, probe. */
  async #onWatchdog(): Promise<void> {
    if (this.#state !== 'open') return;
    const twMs = this.#twMs();
    const silentMs = performance.now() - this.#heardAtMs;
    if (silentMs < twMs) {
      this.#armWatchdog(twMs - silentMs);
      return;
    }
    await this.#probe();
    if (this.#state === 'open') this.#armWatchdog(this.#twMs());
  }

  /** A DWR; no answer within another Tw closes the connection as dead. */
  async #probe(): Promise<void> {
    if (this.#probing) return;
    this.#probing = true;
    const { local, limits } = this.#context;
    const outcome = await this.#send({ commandCode: commandCodes.deviceWatchdog,
      applicationId: applicationIds.common, proxiable: false, timeoutMs: limits.watchdogIntervalMs,
      avps: [avp('Origin-Host', local.originHost), avp('Origin-Realm', local.originRealm),
        avp('Origin-State-Id', local.originStateId)] });
    this.#probing = false;
    if (outcome.kind === 'answered' || this.#state !== 'open') return;
    this.#context.log('peer_watchdog_expired', { host: this.#peer?.host ?? null,
      outcome: outcome.kind });
    this.#destroy('watchdog_expired');
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
      const { local } = this.#context;
      this.#socket.resume();
      await Promise.race([this.#send({ commandCode: commandCodes.disconnectPeer,
        applicationId: applicationIds.common, proxiable: false, timeoutMs,
        avps: [avp('Origin-Host', local.originHost), avp('Origin-Realm', local.originRealm),
          avp('Disconnect-Cause', disconnectCauses.rebooting)] }), deadline]);
    }
    this.#socket.destroy();
    await this.closed;
  }
}
