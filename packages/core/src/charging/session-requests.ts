import { success } from '../kernel/result.ts';
import { inScope, outOfScope } from './authorize.ts';
import { checkUpdateInput } from './charging-input.ts';
import type { ChargingDeps, ChargingTransaction } from './charging-ports.ts';
import type { ChargingResult } from './charging-service.ts';
import type {
  GrantAnswer,
  TerminateAnswer,
  TerminateInput,
  UpdateInput,
} from './charging-types.ts';
import { chargingProblem, decodeAnswer, inPricingTransaction } from './charging-work.ts';
import type { SessionRecord } from './session-record.ts';
import { settleAndClose, settleAndGrant } from './settle-session.ts';

type Sequenced<T> =
  | { readonly kind: 'replay'; readonly answer: T }
  | { readonly kind: 'next'; readonly session: SessionRecord }
  | { readonly kind: 'problem'; readonly problem: ReturnType<typeof chargingProblem> };

/**
 * Orders a request within its session: the number of the last request gets the stored answer
 * again (a retransmission moves no money); only the next number is processed; anything else,
 * or a request to a closed or refused session, is rejected without writing.
 */
async function sequence<T>(
  tx: ChargingTransaction,
  input: UpdateInput,
): Promise<Sequenced<T>> {
  const session = await tx.findSession(input.sessionId);
  if (session === null) {
    return { kind: 'problem',
      problem: chargingProblem('session_not_found', `no session ${input.sessionId}`) };
  }
  const chainIds = session.levels.length > 0
    ? session.levels.map((level) => level.accountId) : [session.accountId];
  if (!inScope(chainIds, input.scopeAccountId)) {
    return { kind: 'problem', problem: outOfScope(session.accountId) };
  }
  if (input.requestNumber === session.lastRequestNumber && session.state !== 'refused') {
    return { kind: 'replay', answer: decodeAnswer<T>(session.lastAnswerJson) };
  }
  if (session.state !== 'live') {
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

/** update (the nibble): commit what was used, reserve the next slice. */
export async function update(
  deps: ChargingDeps,
  input: UpdateInput,
): Promise<ChargingResult<GrantAnswer>> {
  const malformed = checkUpdateInput(input, deps.settings);
  if (malformed !== null) return malformed;
  const nowMs = deps.clock.nowMs();
  return inPricingTransaction(deps, async (tx, deckOf) => {
    const sequenced = await sequence<GrantAnswer>(tx, input);
    if (sequenced.kind === 'problem') return sequenced.problem;
    if (sequenced.kind === 'replay') return success(sequenced.answer);
    return settleAndGrant({ deps, tx, session: sequenced.session,
      requestNumber: input.requestNumber, usedSeconds: input.usedSeconds, nowMs, deckOf });
  });
}

/** terminate: commit the final cost, release the rest, write the CDR, in one transaction. */
export async function terminate(
  deps: ChargingDeps,
  input: TerminateInput,
): Promise<ChargingResult<TerminateAnswer>> {
  const malformed = checkUpdateInput(input, deps.settings);
  if (malformed !== null) return malformed;
  const nowMs = deps.clock.nowMs();
  return inPricingTransaction(deps, async (tx, deckOf) => {
    const sequenced = await sequence<TerminateAnswer>(tx, input);
    if (sequenced.kind === 'problem') return sequenced.problem;
    if (sequenced.kind === 'replay') {
      if (sequenced.answer.status !== 'terminated') {
        return chargingProblem('request_out_of_order',
          `request_number ${input.requestNumber} was not a terminate`);
      }
      return success(sequenced.answer);
    }
    const session = sequenced.session;
    const last = decodeAnswer<GrantAnswer>(session.lastAnswerJson);
    const ranOut = last.final && input.usedSeconds >= session.grantedUntilSeconds;
    return settleAndClose({ deps, tx, session, requestNumber: input.requestNumber,
      usedSeconds: input.usedSeconds, nowMs, deckOf }, ranOut ? 'out_of_credit' : 'normal');
  });
}
