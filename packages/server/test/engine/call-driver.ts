import type { Reply, Sent } from './engine-client.ts';
import { callee } from './engine-world.ts';

// Callers that drive calls the way a softswitch does (authorize, two updates with cumulative
// used seconds, terminate) and keep a log of every answer, so that after a crash the test can
// say which requests were acknowledged and check that each one is reflected.

export interface Step {
  readonly kind: 'authorize' | 'update' | 'terminate';
  readonly requestNumber: number;
  readonly path: string;
  readonly body: Readonly<Record<string, unknown>>;
}

export type CallEnd = 'terminated' | 'abandoned' | 'refused' | 'lost' | 'unexpected';

export interface CallLog {
  readonly sessionId: string;
  readonly customerId: string;
  readonly steps: readonly Step[];
  /** 2xx answers, in order, with when they arrived. */
  readonly acked: Array<{ readonly step: Step; readonly reply: Reply; readonly atMs: number }>;
  /** Any other answer (a refused authorize, or something no switch should ever get). */
  readonly answeredOtherwise: Array<{ readonly step: Step; readonly reply: Reply }>;
  /** The request that got no answer: its outcome is unknown. */
  lost: Step | null;
  ended: CallEnd | null;
}

/** Sends one request of a call (to whichever node, retrying as the test's policy says). */
export type Transport = (step: Step, call: CallLog) => Promise<Sent>;

export function newCall(options: {
  sessionId: string;
  customerId: string;
  usedPerStepSeconds: number;
}): CallLog {
  const { sessionId, customerId, usedPerStepSeconds: used } = options;
  const at = `/v1/sessions/${sessionId}`;
  const steps: Step[] = [
    { kind: 'authorize', requestNumber: 0, path: '/v1/sessions', body: { session_id: sessionId,
      account_id: customerId, caller: '15550001', callee, request_number: 0 } },
    { kind: 'update', requestNumber: 1, path: `${at}/update`,
      body: { request_number: 1, used_seconds: used } },
    { kind: 'update', requestNumber: 2, path: `${at}/update`,
      body: { request_number: 2, used_seconds: 2 * used } },
    { kind: 'terminate', requestNumber: 3, path: `${at}/terminate`,
      body: { request_number: 3, used_seconds: 2 * used + 1 } },
  ];
  return { sessionId, customerId, steps, acked: [], answeredOtherwise: [], lost: null,
    ended: null };
}

/**
 * Drives a call from `fromRequest` (a retransmission after a restart starts at the lost one).
 * `silentAfter`: the switch goes silent after that request (a crashed switch, a lost BYE), and
 * the call must time out.
 */
export async function driveCall(
  call: CallLog,
  transport: Transport,
  options: { fromRequest?: number; silentAfter?: number | null } = {},
): Promise<CallEnd> {
  call.lost = null;
  for (const step of call.steps.slice(options.fromRequest ?? 0)) {
    const sent = await transport(step, call);
    if (!sent.answered) {
      call.lost = step;
      return (call.ended = 'lost');
    }
    const { reply } = sent;
    if (reply.status >= 200 && reply.status < 300) {
      call.acked.push({ step, reply, atMs: Date.now() });
    } else {
      call.answeredOtherwise.push({ step, reply });
      const refusal = step.kind === 'authorize' && (reply.status === 402 || reply.status === 403);
      return (call.ended = refusal ? 'refused' : 'unexpected');
    }
    if (step.requestNumber === options.silentAfter) return (call.ended = 'abandoned');
  }
  return (call.ended = 'terminated');
}

export interface LoadOptions {
  readonly callers: number;
  readonly callsPerCallerMax: number;
  readonly usedPerStepSeconds: number;
  /** Every n-th call of a caller goes silent after its first update. */
  readonly silentEvery: number;
  readonly transport: Transport;
  /** False: start no new call (the current one still ends). */
  keepCalling(): boolean;
  readonly label: string;
}

/**
 * Runs `callers` switches in parallel, each one call after another, until told to stop or a
 * request is lost (its node died: the switch stops there). Every call is logged in `calls`
 * as soon as it starts, so the test can count acknowledgements while the load runs.
 */
export function startLoad(options: LoadOptions, calls: CallLog[]): Promise<void> {
  const caller = async (callerIndex: number) => {
    for (let index = 0; index < options.callsPerCallerMax && options.keepCalling(); index += 1) {
      const call = newCall({ sessionId: `${options.label}-${callerIndex}-${index}`,
        customerId: index % 2 === 0 ? 'c1' : 'c2',
        usedPerStepSeconds: options.usedPerStepSeconds });
      calls.push(call);
      const silent = index % options.silentEvery === options.silentEvery - 1;
      const end = await driveCall(call, options.transport, { silentAfter: silent ? 1 : null });
      if (end === 'lost' || end === 'unexpected') return;
    }
  };
  return Promise.all(Array.from({ length: options.callers }, (_, index) => caller(index)))
    .then(() => undefined);
}

export function ackedCount(calls: readonly CallLog[]): number {
  return calls.reduce((sum, call) => sum + call.acked.length, 0);
}

/** Resolves once `count` requests were acknowledged, or after `timeoutMs` whatever the count. */
export async function waitForAcks(
  calls: readonly CallLog[],
  count: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (ackedCount(calls) < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Kills a node shortly (1-5 ms, at random) after a request to it left, once armed: the kill
 * then lands while that request is being decided, committed or answered, never between
 * requests. Falls back to killing anyway when no request comes within `timeoutMs`.
 */
export function killSwitch(kill: () => Promise<unknown>, timeoutMs: number) {
  let armed = false;
  let fired = false;
  let resolveKilled: (atMs: number) => void = () => undefined;
  const killed = new Promise<number>((resolve) => {
    resolveKilled = resolve;
  });
  const delayMs = 1 + Math.floor(Math.random() * 5);
  const fire = (afterMs: number) => {
    if (fired) return;
    fired = true;
    setTimeout(() => {
      const atMs = Date.now();
      void kill().then(() => resolveKilled(atMs));
    }, afterMs);
  };
  return {
    delayMs,
    killed,
    arm: () => {
      armed = true;
      setTimeout(() => fire(0), timeoutMs).unref();
    },
    /** Called as a request to the node is sent. */
    onSent: () => {
      if (armed) fire(delayMs);
    },
  };
}
