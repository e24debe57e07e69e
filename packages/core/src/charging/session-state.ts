import type { Micros } from '../kernel/money.ts';
import { micros } from '../kernel/money.ts';
import type { ChargingSettings } from './charging-ports.ts';
import type { AuthorizeInput, GrantAnswer, RefusalAnswer } from './charging-types.ts';
import { encodeStoredAnswer } from './stored-answer.ts';
import type { PricedLevel } from './priced-levels.ts';
import type { SessionLevel, SessionRecord } from './session-record.ts';

/** The ledger reservation of a session: one per call, renewed with every grant. */
export function reservationIdOf(sessionId: string): string {
  return `s:${sessionId}`;
}

/**
 * How many grace periods the ledger keeps a session's hold after the session's own deadline:
 * the charging sweeper settles first; the ledger's expiry is only the backstop.
 */
const ledgerBackstopGraces = 10;

/**
 * The instants a grant sets: when the switch must hang up by itself, when the sweeper may close
 * a silent session, and when the ledger itself would release the hold.
 */
export function deadlinesOf(nowMs: number, grantedSeconds: number, settings: ChargingSettings) {
  const hangupAtMs = nowMs + grantedSeconds * 1000;
  const deadlineMs = hangupAtMs + settings.sessionGraceMs;
  const reservationExpiresAtMs = deadlineMs + ledgerBackstopGraces * settings.sessionGraceMs;
  return { hangupAtMs, deadlineMs, reservationExpiresAtMs };
}

export function sessionRecordOf(options: {
  input: AuthorizeInput;
  levels: readonly PricedLevel[];
  exposureMicros: readonly Micros[];
  answer: GrantAnswer | RefusalAnswer;
  deadlineMs: number;
  nowMs: number;
  bundleId: string | null;
  bundleSecondsHeld: number;
  carrierId: string | null;
}): SessionRecord {
  const { input, answer, nowMs } = options;
  const granted = answer.status === 'granted';
  const levels: SessionLevel[] = options.levels.map((level, index) => ({
    accountId: level.account.id,
    parentId: level.account.parentId,
    currency: level.account.currency,
    deckId: level.deckId,
    rateNumerator: level.rate.numerator,
    rateDenominator: level.rate.denominator,
    committedMicros: micros(0n),
    reservedMicros: options.exposureMicros[index] ?? micros(0n),
    payeeAccountId: level.payeeAccountId,
  }));
  return {
    sessionId: input.sessionId,
    accountId: input.accountId,
    state: granted ? 'live' : 'refused',
    caller: input.caller,
    callee: input.callee,
    startedAtMs: nowMs,
    lastRequestNumber: 0,
    usedSeconds: 0,
    grantedUntilSeconds: granted ? answer.grantedSeconds : 0,
    hangupAtMs: granted ? answer.hangupAtMs : nowMs,
    deadlineMs: options.deadlineMs,
    levels,
    carrierId: options.carrierId,
    bundleId: options.bundleId,
    bundleSecondsHeld: options.bundleSecondsHeld,
    lastAnswerJson: encodeStoredAnswer(answer),
    updatedAtMs: nowMs,
  };
}
