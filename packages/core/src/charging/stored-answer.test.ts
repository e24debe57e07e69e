import { describe, expect, it } from 'vitest';
import { AssertionError } from '../kernel/assert.ts';
import type { CurrencyCode } from '../kernel/currency.ts';
import type { Micros } from '../kernel/money.ts';
import type { TerminateAnswer } from './charging-types.ts';
import {
  finalGrantAfterClose,
  killAnswerOf,
  settlementOfKill,
} from './closed-session-answers.ts';
import { decodeStoredAnswer, encodeStoredAnswer, isRefusal } from './stored-answer.ts';

const cost = (value: bigint) => value as Micros;
const usd = 'USD' as CurrencyCode;

const unrouted: TerminateAnswer = { status: 'terminated', sessionId: 's1', requestNumber: 2,
  cdrId: 'c:s1', usedSeconds: 40, billedSeconds: 42, costMicros: cost(190_000n),
  currency: usd };
const settlement: TerminateAnswer = { ...unrouted, carrierId: 'acme', carrierPrefix: '44' };

// Exactly what the code before tagged kills wrote to sessions.last_answer_json for a kill (a
// plain terminate answer) and for a grant: such rows must keep replaying.
const oldKillJson = '{"status":"terminated","sessionId":"s1","requestNumber":2,' +
  '"cdrId":"c:s1","usedSeconds":40,"billedSeconds":42,"costMicros":{"$bigint":"190000"},' +
  '"currency":"USD"}';
const oldGrantJson = '{"status":"granted","sessionId":"s1","requestNumber":1,' +
  '"grantedSeconds":60,"final":false,"hangupAtMs":1000,"usedSeconds":30,' +
  '"costMicros":{"$bigint":"150000"},"currency":"USD"}';

describe('stored answers', () => {
  it('decode rows written before kills had their own kind', () => {
    expect(decodeStoredAnswer(oldKillJson)).toStrictEqual(unrouted);
    expect(decodeStoredAnswer(oldGrantJson)).toMatchObject({ status: 'granted',
      costMicros: 150_000n, final: false });
  });

  it('keep a kill tagged `killed`, never a grant or a plain terminate', () => {
    const stored = decodeStoredAnswer(encodeStoredAnswer(killAnswerOf(settlement)));
    expect(stored.status).toBe('killed');
    expect(stored).toEqual({ ...settlement, status: 'killed' });
  });

  it('round-trip every kind, refusals by their code', () => {
    const refusal = { status: 'daily_limit_reached' as const, sessionId: 's2',
      requestNumber: 0, accountId: 'c', message: 'c cannot pay' };
    const event = { status: 'charged' as const, eventId: 'e1', cdrId: 'c:e:e1',
      billedSeconds: 60, costMicros: cost(10_000n), currency: usd };
    for (const answer of [refusal, event, settlement]) {
      expect(decodeStoredAnswer(encodeStoredAnswer(answer))).toEqual(answer);
    }
    expect(isRefusal(decodeStoredAnswer(encodeStoredAnswer(refusal)))).toBe(true);
    expect(isRefusal(settlement)).toBe(false);
  });

  it.each([
    ['an unknown status', '{"status":"surprise","sessionId":"s1","requestNumber":1}'],
    ['no status', '{"sessionId":"s1"}'],
    ['not an object', '[1,2]'],
    ['a kill without its CDR', oldKillJson.replace('"terminated"', '"killed"')
      .replace('"cdrId":"c:s1",', '')],
    ['a grant whose cost is a float', oldGrantJson.replace('{"$bigint":"150000"}', '0.15')],
    ['a refusal without a message',
      '{"status":"no_rate","sessionId":"s","requestNumber":0,"accountId":null}'],
  ])('refuse %s as corrupt storage', (_why, json) => {
    expect(() => decodeStoredAnswer(json)).toThrow(AssertionError);
  });
});

describe('answers after a closed session', () => {
  it('an update gets 0 s, final, with what the call was charged', () => {
    const killed = killAnswerOf(settlement);
    expect(finalGrantAfterClose(killed, 3, 5_000)).toEqual({ status: 'granted',
      sessionId: 's1', requestNumber: 3, grantedSeconds: 0, final: true, hangupAtMs: 5_000,
      usedSeconds: 40, costMicros: 190_000n, currency: 'USD' });
  });

  it('a terminate gets the kill\'s settlement as its own', () => {
    expect(settlementOfKill(killAnswerOf(settlement))).toEqual(settlement);
  });
});
