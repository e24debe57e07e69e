import { assert } from '../kernel/assert.ts';
import { success } from '../kernel/result.ts';
import { inScope, sessionOutOfScope } from './authorize.ts';
import { checkUpdateInput, checkUsageReport } from './charging-input.ts';
import type { ChargingDeps, ChargingTransaction } from './charging-ports.ts';
import type { ChargingResult } from './charging-service.ts';
import type {
  GrantAnswer,
  TerminateAnswer,
  TerminateInput,
  UpdateInput,
  UsageReport,
} from './charging-types.ts';
import { chargingProblem, inPricingTransaction } from './charging-work.ts';
import { finalGrantAfterClose, settlementOfKill } from './closed-session-answers.ts';
import type { SessionRecord } from './session-record.ts';
import { settleAndClose, settleAndGrant } from './settle-session.ts';
import { decodeStoredAnswer, type StoredAnswer } from './stored-answer.ts';

type Sequenced =
  | { readonly kind: 'answered'; readonly answer: StoredAnswer }
  | { readonly kind: 'next'; readonly session: SessionRecord }
  | { readonly kind: 'problem'; readonly problem: ReturnType<typeof chargingProblem> };

/**
 * Orders a request within its session: the number of the last request gets the stored answer
 * again (a retransmission moves no money); only the next number is processed; anything else,
 * or a request to a closed or refused session, is rejected without writing. A killed session
 * is the exception: the switch did not know of the kill, so whatever it sends next, with any
 * number, is answered from the kill's settlement.
 */
async function sequence(tx: ChargingTransaction, input: UsageReport): Promise<Sequenced> {
  const session = await tx.findSession(input.sessionId);
  if (session === null) {
    return { kind: 'problem',
      problem: chargingProblem('session_not_found', `no session ${input.sessionId}`) };
  }
  const chainIds = session.levels.length > 0
    ? session.levels.map((level) => level.accountId) : [session.accountId];
  if (!inScope(chainIds, input.scopeAccountId)) {
    return { kind: 'problem', problem: sessionOutOfScope(input.sessionId) };
  }
  if (input.requestNumber === session.lastRequestNumber && session.state !== 'refused') {
    return { kind: 'answered', answer: decodeStoredAnswer(session.lastAnswerJson) };
  }
  if (session.state !== 'live') {
    const killed = session.state === 'closed' ? decodeStoredAnswer(session.lastAnswerJson)
      : null;
    if (killed?.status === 'killed') return { kind: 'answered', answer: killed };
    return { kind: 'problem', problem: chargingProblem('session_closed',
      `session ${input.sessionId} is ${session.state === 'refused' ? 'refused' : 'closed'}`) };
  }
  if (input.requestNumber !== session.lastRequestNumber + 1) {
    return { kind: 'problem', problem: chargingProblem('request_out_of_order',
      `session ${input.sessionId} expects request_number ${session.lastRequestNumber + 1}`) };
  }
  if (input.usedSeconds < session.usedSeconds) {
    return { kind: 'problem', problem: chargingProblem('used_seconds_decreased',
      `used_seconds ${input.usedSeconds} is below the ${session.usedSeconds} already reported`) };
  }
  return { kind: 'next', session };
}

/**
 * An update the session already answered: its own grant again, or, when the session was
 * closed under that number or killed, "0 seconds, final". An authorize's refusal or an
 * event is not an update's to replay.
 */
function answerUpdateAgain(
  answer: StoredAnswer,
  input: UpdateInput,
  nowMs: number,
): ChargingResult<GrantAnswer> {
  switch (answer.status) {
    case 'granted':
      return success(answer);
    case 'terminated':
    case 'killed':
      return success(finalGrantAfterClose(answer, input.requestNumber, nowMs));
    default:
      return chargingProblem('request_out_of_order',
        `request_number ${input.requestNumber} was not an update`);
  }
}

/** A terminate the session already answered: its settlement, or the kill's. */
function answerTerminateAgain(
  answer: StoredAnswer,
  input: TerminateInput,
): ChargingResult<TerminateAnswer> {
  switch (answer.status) {
    case 'terminated':
      return success(answer);
    case 'killed':
      return success(settlementOfKill(answer));
    default:
      return chargingProblem('request_out_of_order',
        `request_number ${input.requestNumber} was not a terminate`);
  }
}

/** update (the nibble): commit what was used, reserve the next slice. */
export async function update(
  deps: ChargingDeps,
  input: UpdateInput,
): Promise<ChargingResult<GrantAnswer>> {
  const malformed = checkUpdateInput(input, deps.settings);
  if (malformed !== null) return malformed;
  const nowMs = deps.clock.nowMs();
  return inPricingTransaction(deps, async (tx, deckOf) => {
    const sequenced = await sequence(tx, input);
    if (sequenced.kind === 'problem') return sequenced.problem;
    if (sequenced.kind === 'answered') return answerUpdateAgain(sequenced.answer, input, nowMs);
    return settleAndGrant({ deps, tx, session: sequenced.session,
      requestNumber: input.requestNumber, usedSeconds: input.usedSeconds, nowMs, deckOf,
      requestedSeconds: input.requestedSeconds });
  });
}

/** terminate: commit the final cost, release the rest, write the CDR, in one transaction. */
export async function terminate(
  deps: ChargingDeps,
  input: TerminateInput,
): Promise<ChargingResult<TerminateAnswer>> {
  const malformed = checkUsageReport(input, deps.settings);
  if (malformed !== null) return malformed;
  const nowMs = deps.clock.nowMs();
  return inPricingTransaction(deps, async (tx, deckOf) => {
    const sequenced = await sequence(tx, input);
    if (sequenced.kind === 'problem') return sequenced.problem;
    if (sequenced.kind === 'answered') return answerTerminateAgain(sequenced.answer, input);
    const session = sequenced.session;
    const last = decodeStoredAnswer(session.lastAnswerJson);
    assert(last.status === 'granted', 'a live session last answered with a grant');
    const ranOut = last.final && input.usedSeconds >= session.grantedUntilSeconds;
    return settleAndClose({ deps, tx, session, requestNumber: input.requestNumber,
      usedSeconds: input.usedSeconds, nowMs, deckOf }, ranOut ? 'out_of_credit' : 'normal');
  });
}
