import type { CallLog } from './call-driver.ts';
import { micros, money } from './engine-client.ts';
import type { CdrView } from './engine-world.ts';

// After a crash and the recovery: nothing acknowledged is lost. Each acknowledged answer
// promised something (a grant commits the seconds it reports, a terminate its CDR); the CDRs
// written by the end of the test must keep every promise.

const examplesShown = 5;

export function ackFindings(
  calls: readonly CallLog[],
  bySession: ReadonlyMap<string, readonly CdrView[]>,
): string[] {
  const problems: string[] = [];
  const known = new Set(calls.map((call) => call.sessionId));
  for (const call of calls) problems.push(...ackProblems(call, bySession.get(call.sessionId)));
  for (const sessionId of bySession.keys()) {
    if (!known.has(sessionId)) problems.push(`${sessionId}: a CDR for a call never placed`);
  }
  return listed('acknowledged answers not reflected', problems);
}

/**
 * Answers no switch should get, even across a crash: a retransmission gets the stored answer,
 * so a 409 (or a 500) here is a bug. Refusals of an authorize (402, 403) are answers.
 */
export function unexpectedAnswerFindings(calls: readonly CallLog[]): string[] {
  const problems = calls.flatMap((call) => call.answeredOtherwise
    .filter((answer) => !(answer.step.kind === 'authorize' &&
      (answer.reply.status === 402 || answer.reply.status === 403)))
    .map((answer) => `${call.sessionId} #${answer.step.requestNumber} answered ` +
      `${answer.reply.status} ${String(answer.reply.body['code'] ?? '')}`));
  return listed('answers no switch should get', problems);
}

/** Requests that never got an answer although a node was up to give one. */
export function unansweredFindings(calls: readonly CallLog[], why: string): string[] {
  const problems = calls.filter((call) => call.ended === 'lost')
    .map((call) => `${call.sessionId} #${call.lost?.requestNumber ?? '?'}`);
  return listed(`requests without an answer ${why}`, problems);
}

function listed(headline: string, problems: readonly string[]): string[] {
  if (problems.length === 0) return [];
  const shown = problems.slice(0, examplesShown).join('; ');
  return [`${problems.length} ${headline}: ${shown}` +
    (problems.length > examplesShown ? '; ...' : '')];
}

function ackProblems(call: CallLog, cdrs: readonly CdrView[] | undefined): string[] {
  const id = call.sessionId;
  const problems: string[] = [];
  const granted = call.acked.some((ack) => ack.step.kind === 'authorize');
  const cdr = cdrs?.[0];
  if (cdr === undefined) return granted ? [`${id}: granted, never settled (no CDR)`] : [];
  const terminated = call.acked.find((ack) => ack.step.kind === 'terminate');
  if (terminated !== undefined) {
    const cost = micros(terminated.reply.body['cost']);
    if (cdr.id !== terminated.reply.body['cdr_id'] || cdr.cost !== cost) {
      problems.push(`${id}: terminate answered CDR ${String(terminated.reply.body['cdr_id'])} ` +
        `costing ${money(cost)}, stored ${cdr.id} costing ${money(cdr.cost)}`);
    }
    return problems;
  }
  const last = call.acked.at(-1);
  if (last !== undefined) {
    const used = Number(last.reply.body['used_seconds']);
    const cost = micros(last.reply.body['cost']);
    if (cdr.usedSeconds < used || cdr.cost < cost) {
      problems.push(`${id}: request ${last.step.requestNumber} acknowledged ${used} s ` +
        `(${money(cost)}), the CDR has ${cdr.usedSeconds} s (${money(cdr.cost)})`);
    }
  }
  return problems;
}
