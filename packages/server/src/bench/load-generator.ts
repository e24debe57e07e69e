import { closeSync, fsyncSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The client side of the charging load bench (W2 of docs/benchmark.md): a keep-alive HTTP
 * client, per-request-type latency recording, simulated calls on a compressed clock, the two
 * ways of offering load (closed loop and fixed calls per second), and readings of another
 * process's CPU and memory from /proc. Nothing here knows how the server was started.
 */

export const loadLimits = {
  /** Latency samples kept per request type in one recorder; later samples are only counted. */
  latencySamplesMax: 4_000_000,
  /** Calls a CPS step may hold open at once; beyond it the generator sheds (and says so). */
  callsInFlightMax: 50_000,
  /** Updates one call may send, whatever the duration and interval. */
  updatesPerCallMax: 10_000,
  /** A larger answer is a bug in the server or the bench. */
  responseBytesMax: 16 * 1024 * 1024,
  /** How often the CPS launcher wakes to start the calls that are due. */
  launchTickMs: 5,
  /** A request that takes longer is abandoned and counted as a network error. */
  requestTimeoutMs: 30_000,
  /** Calls one closed loop may start, whatever its duration. */
  closedLoopCallsMax: 10_000_000,
  /** fsyncs one latency probe may time (a probe is a disclosure, not a benchmark). */
  fsyncSamplesMax: 10_000,
} as const;

// ---------------------------------------------------------------------------------------------
// HTTP client

export interface HttpReply {
  readonly statusCode: number;
  /** Parsed JSON, or the text when the answer is not JSON. */
  readonly body: unknown;
}

export interface HttpClient {
  post(path: string, body: unknown): Promise<HttpReply>;
  postText(path: string, text: string, contentType: string): Promise<HttpReply>;
  get(path: string): Promise<HttpReply>;
  close(): void;
}

export interface HttpClientOptions {
  readonly host: string;
  readonly port: number;
  /** Sockets kept open to the server: at least the number of requests in flight. */
  readonly socketsMax: number;
  /** The `Authorization` header sent with every request, if any. */
  readonly authorization?: string;
  /** Idle time after which a request is abandoned; default `loadLimits.requestTimeoutMs`. */
  readonly requestTimeoutMs?: number;
}

/**
 * A plain node:http client over one keep-alive agent (`--node-http`). Whichever client is
 * chosen drives both Tollgate and the bare fastify floor, so their ratio compares servers.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const agent = new Agent({ keepAlive: true, maxSockets: options.socketsMax,
    maxFreeSockets: options.socketsMax, scheduling: 'lifo' });
  const send = (method: string, path: string, payload: string | null, contentType: string):
    Promise<HttpReply> => new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {};
    if (options.authorization !== undefined) headers['authorization'] = options.authorization;
    if (payload !== null) {
      headers['content-type'] = contentType;
      headers['content-length'] = Buffer.byteLength(payload);
    }
    const outgoing = request({ host: options.host, port: options.port, method, path, agent,
      headers, timeout: options.requestTimeoutMs ?? loadLimits.requestTimeoutMs }, (incoming) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      incoming.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > loadLimits.responseBytesMax) incoming.destroy(new Error('answer too large'));
        else chunks.push(chunk);
      });
      incoming.on('error', reject);
      incoming.on('end', () => resolve({ statusCode: incoming.statusCode ?? 0,
        body: parseBody(Buffer.concat(chunks).toString('utf8'), incoming.headers['content-type']),
      }));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('request timed out')));
    outgoing.on('error', reject);
    outgoing.end(payload ?? undefined);
  });
  return {
    post: (path, body) => send('POST', path, JSON.stringify(body), 'application/json'),
    postText: (path, text, contentType) => send('POST', path, text, contentType),
    get: (path) => send('GET', path, null, ''),
    close: () => agent.destroy(),
  };
}

/**
 * A minimal HTTP/1.1 keep-alive client over raw sockets: one request at a time per socket,
 * answers framed by Content-Length (what fastify sends). node:http's client spends about
 * 100 us of CPU per request, so on a small machine it, not the server, sets the pace of a
 * bare-framework floor; this one costs a fraction of that, so the floor measures the server.
 */
export function createRawHttpClient(options: HttpClientOptions): HttpClient {
  const idle: RawConnection[] = [];
  const waiting: Array<(connection: RawConnection) => void> = [];
  let opened = 0;
  let closed = false;
  const acquire = (): Promise<RawConnection> => {
    const ready = idle.pop();
    if (ready !== undefined) return Promise.resolve(ready);
    if (opened < options.socketsMax) {
      opened += 1;
      return Promise.resolve(new RawConnection(options.host, options.port, () => {
        opened -= 1;
      }));
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (connection: RawConnection): void => {
    const next = waiting.shift();
    if (next !== undefined) next(connection);
    else if (!closed && connection.usable) idle.push(connection);
    else connection.destroy();
  };
  const send = async (method: string, path: string, payload: string | null,
    contentType: string): Promise<HttpReply> => {
    const head = [`${method} ${path} HTTP/1.1`, `host: ${options.host}:${options.port}`,
      'connection: keep-alive'];
    if (options.authorization !== undefined) head.push(`authorization: ${options.authorization}`);
    if (payload !== null) {
      head.push(`content-type: ${contentType}`, `content-length: ${Buffer.byteLength(payload)}`);
    }
    const connection = await acquire();
    try {
      return await connection.exchange(`${head.join('\r\n')}\r\n\r\n${payload ?? ''}`);
    } finally {
      release(connection);
    }
  };
  return {
    post: (path, body) => send('POST', path, JSON.stringify(body), 'application/json'),
    postText: (path, text, contentType) => send('POST', path, text, contentType),
    get: (path) => send('GET', path, null, ''),
    close: () => {
      closed = true;
      for (const connection of idle.splice(0)) connection.destroy();
    },
  };
}

const headerEndMarker = Buffer.from('\r\n\r\n');

/** One socket; `exchange` sends a request and resolves with its answer. */
class RawConnection {
  usable = true;
  readonly #socket: Socket;
  readonly #onGone: () => void;
  #buffer: Buffer = Buffer.alloc(0);
  #pending: { resolve: (reply: HttpReply) => void; reject: (error: Error) => void } | null =
    null;

  constructor(host: string, port: number, onGone: () => void) {
    this.#onGone = onGone;
    this.#socket = connect({ host, port, noDelay: true });
    this.#socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    this.#socket.on('error', (error) => this.#fail(error));
    this.#socket.on('close', () => this.#fail(new Error('connection closed')));
    this.#socket.setTimeout(loadLimits.requestTimeoutMs, () =>
      this.#socket.destroy(new Error('request timed out')));
  }

  exchange(request: string): Promise<HttpReply> {
    if (!this.usable) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#socket.write(request);
    });
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #fail(error: Error): void {
    if (this.usable) this.#onGone();
    this.usable = false;
    const pending = this.#pending;
    this.#pending = null;
    pending?.reject(error);
  }

  #receive(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    if (this.#buffer.length > loadLimits.responseBytesMax) {
      this.#socket.destroy(new Error('answer too large'));
      return;
    }
    const headerEnd = this.#buffer.indexOf(headerEndMarker);
    if (headerEnd < 0) return;
    const head = this.#buffer.toString('latin1', 0, headerEnd).toLowerCase();
    const length = /\r\ncontent-length: *(\d+)/.exec(head);
    if (length === null) {
      // Chunked or close-delimited answers are not what this bench's servers send.
      this.#socket.destroy(new Error('answer without content-length'));
      return;
    }
    const bodyStart = headerEnd + headerEndMarker.length;
    const bodyEnd = bodyStart + Number(length[1]);
    if (this.#buffer.length < bodyEnd) return;
    const text = this.#buffer.toString('utf8', bodyStart, bodyEnd);
    this.#buffer = this.#buffer.subarray(bodyEnd);
    const statusCode = Number(head.slice(9, 12));
    const contentType = /\r\ncontent-type: *([^\r]*)/.exec(head)?.[1];
    const pending = this.#pending;
    this.#pending = null;
    pending?.resolve({ statusCode, body: parseBody(text, contentType) });
  }
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (contentType?.includes('json') !== true || text === '') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A field of a JSON answer, or undefined when the answer is not an object. */
export function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name]
    : undefined;
}

// ---------------------------------------------------------------------------------------------
// Recording

const requestKinds = ['authorize', 'update', 'terminate', 'echo'] as const;
export type RequestKind = (typeof requestKinds)[number];

export interface KindSummary {
  readonly kind: RequestKind;
  readonly count: number;
  readonly perS: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
}

export interface RecorderSummary {
  readonly elapsedS: number;
  readonly requests: number;
  readonly requestsPerS: number;
  readonly kinds: readonly KindSummary[];
  /** `kind outcome` -> count, e.g. `authorize refused 402 insufficient_funds`. */
  readonly outcomes: Readonly<Record<string, number>>;
  readonly serverErrors: number;
  readonly networkErrors: number;
}

/** Latencies per request type and outcome counts over one measured window. */
export class RequestRecorder {
  readonly #latenciesMs = new Map<RequestKind, number[]>();
  readonly #counts = new Map<RequestKind, number>();
  readonly #outcomes = new Map<string, number>();
  #startedMs = performance.now();
  #endedMs: number | null = null;
  #serverErrors = 0;
  #networkErrors = 0;

  /** Restarts the window (after a warm-up) without keeping anything recorded before. */
  restart(): void {
    this.#latenciesMs.clear();
    this.#counts.clear();
    this.#outcomes.clear();
    this.#serverErrors = 0;
    this.#networkErrors = 0;
    this.#startedMs = performance.now();
    this.#endedMs = null;
  }

  /** Closes the window: requests still answered later count, but not toward the time. */
  close(): void {
    this.#endedMs ??= performance.now();
  }

  /**
   * Records one answered request. A request sent before the window opened is left out, so a
   * warm-up's backlog does not leak into the measured latencies, and so is one sent after it
   * closed (the hang-ups that end a run).
   */
  record(kind: RequestKind, sentAtMs: number, outcome: string): void {
    if (sentAtMs < this.#startedMs || (this.#endedMs !== null && sentAtMs > this.#endedMs)) {
      return;
    }
    const latencyMs = performance.now() - sentAtMs;
    let samples = this.#latenciesMs.get(kind);
    if (samples === undefined) {
      samples = [];
      this.#latenciesMs.set(kind, samples);
    }
    if (samples.length < loadLimits.latencySamplesMax) samples.push(latencyMs);
    this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + 1);
    if (outcome === 'ok') return;
    const key = `${kind} ${outcome}`;
    this.#outcomes.set(key, (this.#outcomes.get(key) ?? 0) + 1);
    if (outcome.startsWith('error 5')) this.#serverErrors += 1;
    if (outcome === 'network_error') this.#networkErrors += 1;
  }

  summary(): RecorderSummary {
    const elapsedS = ((this.#endedMs ?? performance.now()) - this.#startedMs) / 1_000;
    const kinds: KindSummary[] = [];
    let requests = 0;
    for (const [kind, samples] of this.#latenciesMs) {
      const count = this.#counts.get(kind) ?? 0;
      requests += count;
      kinds.push(summarizeKind(kind, count, samples, elapsedS));
    }
    kinds.sort((a, b) => requestKinds.indexOf(a.kind) - requestKinds.indexOf(b.kind));
    return { elapsedS: round(elapsedS, 2), requests,
      requestsPerS: Math.round(requests / elapsedS), kinds,
      outcomes: Object.fromEntries(this.#outcomes), serverErrors: this.#serverErrors,
      networkErrors: this.#networkErrors };
  }
}

function summarizeKind(kind: RequestKind, count: number, samples: number[], elapsedS: number):
  KindSummary {
  const sorted = Float64Array.from(samples).sort();
  return { kind, count, perS: Math.round(count / elapsedS),
    p50Ms: quantileMs(sorted, 0.5), p95Ms: quantileMs(sorted, 0.95),
    p99Ms: quantileMs(sorted, 0.99), p999Ms: quantileMs(sorted, 0.999),
    maxMs: round(sorted[sorted.length - 1] ?? 0, 2) };
}

/** Nearest-rank quantile of sorted samples: the smallest sample with q of them at or below. */
export function quantileMs(sorted: Float64Array, quantile: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil(quantile * sorted.length));
  return round(sorted[rank - 1] ?? 0, 2);
}

export function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

/** Times one request and records it; network failures are recorded, never thrown. */
export async function timedRequest(
  recorder: RequestRecorder,
  kind: RequestKind,
  send: () => Promise<HttpReply>,
): Promise<HttpReply | null> {
  const sentAtMs = performance.now();
  try {
    const reply = await send();
    recorder.record(kind, sentAtMs, outcomeOf(reply));
    return reply;
  } catch {
    recorder.record(kind, sentAtMs, 'network_error');
    return null;
  }
}

/** `ok` for 2xx; `refused <status> <code>` for 402/403; `error <status> <code>` otherwise. */
function outcomeOf(reply: HttpReply): string {
  if (reply.statusCode >= 200 && reply.statusCode < 300) return 'ok';
  const status = field(reply.body, 'status');
  const code = typeof status === 'string' ? status : String(field(reply.body, 'code') ?? '');
  const label = reply.statusCode === 402 || reply.statusCode === 403 ? 'refused' : 'error';
  return `${label} ${reply.statusCode} ${code}`.trimEnd();
}

// ---------------------------------------------------------------------------------------------
// Simulated calls

export interface CallTraffic {
  readonly client: HttpClient;
  readonly customerIds: readonly string[];
  readonly callees: readonly string[];
  /** Mean of the exponential call duration, in simulated seconds. */
  readonly durationMeanS: number;
  /** Longest simulated call; the exponential tail is cut here. */
  readonly durationMaxS: number;
  /** Shortest answered call (the short-call variant draws 1-5 s). */
  readonly durationMinS: number;
  /** Simulated seconds between updates (bounded by each grant). */
  readonly updateIntervalS: number;
  /** Share of calls authorized and then ended with 0 s (not answered). */
  readonly unansweredShare: number;
  /** Session ids are `<prefix>-<n>`, unique per run. */
  readonly sessionPrefix: string;
  readonly random: () => number;
}

/** The state of one run shared by its calls; counters feed the invariant checks. */
export class CallRun {
  recorder = new RequestRecorder();
  /** Set when the run ends: calls in progress report what they used and terminate now. */
  hangUpNow = false;
  /** Null: each request follows the answer to the previous one (no waiting). */
  readonly simulatedSecondsPerRealSecond: number | null;
  callsStarted = 0;
  granted = 0;
  refused = 0;
  terminated = 0;
  /** Granted calls the bench could not terminate (an error answer or a lost connection). */
  unsettled = 0;
  shed = 0;
  #nextIndex = 0;

  constructor(simulatedSecondsPerRealSecond: number | null) {
    this.simulatedSecondsPerRealSecond = simulatedSecondsPerRealSecond;
  }

  nextIndex(): number {
    const index = this.#nextIndex;
    this.#nextIndex += 1;
    return index;
  }
}

interface CallPlan {
  readonly sessionId: string;
  readonly accountId: string;
  readonly callee: string;
  /** 0: not answered. */
  readonly durationS: number;
}

function planCall(traffic: CallTraffic, index: number): CallPlan {
  const { random } = traffic;
  const accountId = traffic.customerIds[index % traffic.customerIds.length] ?? '';
  const callee = traffic.callees[Math.floor(random() * traffic.callees.length)] ?? '';
  const answered = random() >= traffic.unansweredShare;
  // Inverse transform of the exponential distribution; 1 - u keeps the logarithm finite.
  const drawnS = Math.round(-traffic.durationMeanS * Math.log(1 - random()));
  const durationS = answered
    ? Math.min(traffic.durationMaxS, Math.max(traffic.durationMinS, drawnS)) : 0;
  return { sessionId: `${traffic.sessionPrefix}-${index}`, accountId, callee, durationS };
}

/** Waits the real time that `simulatedS` takes on the compressed clock (none in closed loop). */
async function pace(run: CallRun, simulatedS: number): Promise<void> {
  const speed = run.simulatedSecondsPerRealSecond;
  if (speed === null || simulatedS <= 0 || run.hangUpNow) return;
  await sleep((simulatedS * 1_000) / speed);
}

/** A usage report; a lost connection is sent once more (the server replays its answer). */
async function report(traffic: CallTraffic, run: CallRun, kind: 'update' | 'terminate',
  sessionId: string, usage: { request_number: number; used_seconds: number }):
  Promise<HttpReply | null> {
  const path = `/v1/sessions/${encodeURIComponent(sessionId)}/${kind}`;
  const first = await timedRequest(run.recorder, kind, () => traffic.client.post(path, usage));
  if (first !== null) return first;
  return timedRequest(run.recorder, kind, () => traffic.client.post(path, usage));
}

/**
 * One call, as a softswitch would drive it: authorize, an update every interval (never past
 * the grant), terminate with the seconds used. The clock is compressed: the bench decides the
 * used seconds itself, and waits only as long as the run's clock speed says.
 */
export async function runCall(traffic: CallTraffic, run: CallRun, index: number): Promise<void> {
  const plan = planCall(traffic, index);
  run.callsStarted += 1;
  const authorized = await timedRequest(run.recorder, 'authorize', () =>
    traffic.client.post('/v1/sessions', { session_id: plan.sessionId,
      account_id: plan.accountId, caller: '15550001', callee: plan.callee, request_number: 0 }));
  if (authorized === null || authorized.statusCode !== 200) {
    if (authorized !== null && authorized.statusCode < 500) run.refused += 1;
    return;
  }
  run.granted += 1;
  let usedS = 0;
  let grantedS = Number(field(authorized.body, 'granted_seconds') ?? 0);
  let requestNumber = 1;
  for (let updates = 0; updates < loadLimits.updatesPerCallMax && !run.hangUpNow; updates += 1) {
    const stepS = Math.min(traffic.updateIntervalS, grantedS);
    if (stepS <= 0 || usedS + stepS >= plan.durationS) break;
    await pace(run, stepS);
    if (run.hangUpNow) break;
    const updated = await report(traffic, run, 'update', plan.sessionId,
      { request_number: requestNumber, used_seconds: usedS + stepS });
    // An answer other than a grant changed nothing on the server: terminate with this number.
    if (updated === null || updated.statusCode !== 200) break;
    requestNumber += 1;
    usedS += stepS;
    grantedS = Number(field(updated.body, 'granted_seconds') ?? 0);
  }
  const endS = run.hangUpNow ? usedS : Math.min(plan.durationS, usedS + grantedS);
  await pace(run, endS - usedS);
  const ended = await report(traffic, run, 'terminate', plan.sessionId,
    { request_number: requestNumber, used_seconds: endS });
  if (ended !== null && ended.statusCode === 200) run.terminated += 1;
  else run.unsettled += 1;
}

// ---------------------------------------------------------------------------------------------
// Offering load

export interface ClosedLoopOptions {
  /** Virtual calls in progress at once: each sends its next request when the answer arrives. */
  readonly concurrency: number;
  readonly durationMs: number;
  /** Not recorded: lets the JIT and the caches settle. */
  readonly warmupMs: number;
  /** Called when the measured window opens and closes (CPU readings of the server). */
  readonly onWindow?: (edge: 'start' | 'end') => void;
}

/** As many requests as the server takes: `concurrency` calls back to back, no waiting. */
export async function runClosedLoop(traffic: CallTraffic, options: ClosedLoopOptions):
  Promise<CallRun> {
  const run = new CallRun(null);
  const warmup = setTimeout(() => {
    run.recorder.restart();
    options.onWindow?.('start');
  }, options.warmupMs);
  const stop = setTimeout(() => {
    run.recorder.close();
    options.onWindow?.('end');
    run.hangUpNow = true;
  }, options.warmupMs + options.durationMs);
  const worker = async (): Promise<void> => {
    while (!run.hangUpNow && run.callsStarted < loadLimits.closedLoopCallsMax) {
      await runCall(traffic, run, run.nextIndex());
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  clearTimeout(warmup);
  clearTimeout(stop);
  return run;
}

export interface CpsStepOptions {
  readonly callsPerS: readonly number[];
  readonly stepMs: number;
  /** Calls at the first step's rate before it, not recorded (JIT, caches, first pages). */
  readonly warmupMs: number;
  /** Simulated seconds per real second: 60 makes a 180 s call last 3 s. */
  readonly simulatedSecondsPerRealSecond: number;
  /** After the last step, calls may end on their own this long before being hung up. */
  readonly drainMs: number;
  /** Whether a step's window met the SLO; the ramp stops at the first miss... */
  readonly meetsSlo: (summary: RecorderSummary) => boolean;
  /** ...unless this is set: every step runs (to see past a noisy miss). */
  readonly continuePastMiss: boolean;
  readonly onWindow?: (edge: 'start' | 'end') => void;
}

export interface CpsStepResult {
  readonly callsPerS: number;
  readonly summary: RecorderSummary;
  /** Calls the generator did not start because callsInFlightMax were open. */
  readonly shed: number;
  readonly meetsSlo: boolean;
}

/**
 * A CPS ramp: each step starts calls at a fixed rate for `stepMs`; calls run on the compressed
 * clock and carry over into the next step, as live calls do. A step's latencies are those of
 * the requests sent during it.
 */
export async function runCpsSteps(traffic: CallTraffic, options: CpsStepOptions):
  Promise<{ run: CallRun; steps: CpsStepResult[] }> {
  const run = new CallRun(options.simulatedSecondsPerRealSecond);
  const calls = new Set<Promise<void>>();
  const steps: CpsStepResult[] = [];
  const firstCallsPerS = options.callsPerS[0];
  if (firstCallsPerS !== undefined && options.warmupMs > 0) {
    await launchAtRate(traffic, run, calls, firstCallsPerS, options.warmupMs);
  }
  for (const callsPerS of options.callsPerS) {
    run.recorder = new RequestRecorder();
    options.onWindow?.('start');
    const shedBefore = run.shed;
    await launchAtRate(traffic, run, calls, callsPerS, options.stepMs);
    run.recorder.close();
    options.onWindow?.('end');
    const summary = run.recorder.summary();
    const meetsSlo = options.meetsSlo(summary) && run.shed === shedBefore;
    steps.push({ callsPerS, summary, shed: run.shed - shedBefore, meetsSlo });
    if (!meetsSlo && !options.continuePastMiss) break;
  }
  // Requests of the drain are not part of any step.
  run.recorder = new RequestRecorder();
  const drained = Promise.all(calls);
  const hangUp = setTimeout(() => {
    run.hangUpNow = true;
  }, options.drainMs);
  await drained;
  clearTimeout(hangUp);
  return { run, steps };
}

/** Starts calls at `callsPerS` for `stepMs`; they run on and are tracked in `calls`. */
export async function launchAtRate(traffic: CallTraffic, run: CallRun,
  calls: Set<Promise<void>>,
  callsPerS: number, stepMs: number): Promise<void> {
  const startedMs = performance.now();
  let launched = 0;
  const ticksMax = Math.ceil(stepMs / loadLimits.launchTickMs) * 4;
  for (let tick = 0; tick < ticksMax; tick += 1) {
    const elapsedMs = performance.now() - startedMs;
    if (elapsedMs >= stepMs) break;
    const due = Math.floor((elapsedMs * callsPerS) / 1_000) - launched;
    for (let call = 0; call < due; call += 1) {
      launched += 1;
      if (calls.size >= loadLimits.callsInFlightMax) {
        run.shed += 1;
        continue;
      }
      const pending = runCall(traffic, run, run.nextIndex()).finally(() => {
        calls.delete(pending);
      });
      calls.add(pending);
    }
    await sleep(loadLimits.launchTickMs);
  }
}

/** Closed loop over one fixed request: the floor (a bare framework route) for the ratio. */
export async function runFixedRequestLoop(options: {
  readonly send: () => Promise<HttpReply>;
  readonly concurrency: number;
  readonly durationMs: number;
  readonly warmupMs: number;
}): Promise<RecorderSummary> {
  const recorder = new RequestRecorder();
  let running = true;
  const warmup = setTimeout(() => recorder.restart(), options.warmupMs);
  const stop = setTimeout(() => {
    recorder.close();
    running = false;
  }, options.warmupMs + options.durationMs);
  const worker = async (): Promise<void> => {
    for (let sent = 0; running && sent < loadLimits.closedLoopCallsMax; sent += 1) {
      await timedRequest(recorder, 'echo', options.send);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  clearTimeout(warmup);
  clearTimeout(stop);
  return recorder.summary();
}

// ---------------------------------------------------------------------------------------------
// Readings of the machine and of the server process

/** Kernel clock ticks per second for /proc/<pid>/stat; 100 on every mainstream Linux. */
const clockTicksPerS = 100;

/**
 * User + system CPU seconds the process has used so far, or null off Linux. With `thread`, only
 * that thread's (the main thread's id is the process id): the engine decides on the main
 * thread alone, so its CPU per request bounds a node's throughput whatever the other threads do.
 */
export function readCpuSeconds(pid: number, thread?: 'main'): number | null {
  try {
    const path = thread === 'main' ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`;
    const stat = readFileSync(path, 'utf8');
    // The command name may hold spaces; the fields after its closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerS;
  } catch {
    return null;
  }
}

/** Peak resident memory (VmHWM) of the process in bytes, or null off Linux. */
export function readPeakRssBytes(pid: number): number | null {
  return readStatusBytes(pid, 'VmHWM');
}

/** Resident memory (VmRSS) of the process now, in bytes, or null off Linux. */
export function readRssBytes(pid: number): number | null {
  return readStatusBytes(pid, 'VmRSS');
}

function readStatusBytes(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    return match === null ? null : Number(match[1]) * 1_024;
  } catch {
    return null;
  }
}

export interface FsyncLatency {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
}

/**
 * Writes a 4 KiB block and fsyncs it `samples` times: the floor of a durable commit here.
 * `overwrite` rewrites one block (a reused WAL); `append` grows the file each time, which also
 * makes the file system journal its metadata (a growing WAL), and is usually slower.
 */
export function measureFsyncLatency(directory: string, samples: number, pattern:
  'overwrite' | 'append'): FsyncLatency {
  const count = Math.min(samples, loadLimits.fsyncSamplesMax);
  const path = join(directory, `fsync-probe-${pattern}.bin`);
  const block = Buffer.alloc(4_096, 7);
  const descriptor = openSync(path, 'w');
  const timesMs = new Float64Array(count);
  try {
    for (let index = 0; index < count; index += 1) {
      const offset = pattern === 'append' ? index * block.length : 0;
      writeSync(descriptor, block, 0, block.length, offset);
      const startedMs = performance.now();
      fsyncSync(descriptor);
      timesMs[index] = performance.now() - startedMs;
    }
  } finally {
    closeSync(descriptor);
    rmSync(path, { force: true });
  }
  const meanMs = timesMs.reduce((sum, value) => sum + value, 0) / Math.max(1, count);
  timesMs.sort();
  return { samples: count, p50Ms: quantileMs(timesMs, 0.5), p99Ms: quantileMs(timesMs, 0.99),
    meanMs: round(meanMs, 3) };
}

/** Marsaglia's xorshift32: the same seed gives the same calls; quality is not needed here. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4_294_967_296;
  };
}
