import { describe, expect, it } from 'vitest';
import { micros } from '../kernel/money.ts';
import { learnCall, newActivity, recordEndedCall, recordSpend } from './account-activity.ts';
import { countryCodeOf } from './destination-key.ts';
import {
  destinationAnomalyFinding,
  shortCallBurstFinding,
  spendVelocityFinding,
  unusualHoursFinding,
} from './fraud-rules.ts';
import { profileFromJson, profileToJson } from './profile-snapshot.ts';
import { addTo, rollingCounter, sumOver } from './rolling-counter.ts';

const minuteMs = 60_000;
const t0 = 1_800_000_000_000;

describe('country calling codes', () => {
  const cases: Array<[string, string | null]> = [['14155550100', '1'], ['74951234567', '7'],
    ['442079460000', '44'], ['4930123456', '49'], ['2348012345678', '234'],
    ['8821612345', '882'], ['881612345', '881'], ['35312345', '353'], ['0123', null],
    ['4', null], ['', null]];
  for (const [number, code] of cases) {
    it(`${number || '(empty)'} -> ${String(code)}`, () => expect(countryCodeOf(number)).toBe(code));
  }
});

describe('rolling counter', () => {
  it('sums the buckets in the span and forgets what left the window', () => {
    const counter = rollingCounter(minuteMs, 60);
    addTo(counter, t0, 5n, t0);
    addTo(counter, t0 + 30 * minuteMs, 7n, t0 + 30 * minuteMs);
    expect(sumOver(counter, t0 + 30 * minuteMs, 10 * minuteMs)).toBe(7n);
    expect(sumOver(counter, t0 + 30 * minuteMs, 60 * minuteMs)).toBe(12n);
    // An hour later the first bucket is out of the window, and its slot is reused cleanly.
    addTo(counter, t0 + 60 * minuteMs, 1n, t0 + 60 * minuteMs);
    expect(sumOver(counter, t0 + 60 * minuteMs, 60 * minuteMs)).toBe(8n);
    addTo(counter, t0, 100n, t0 + 61 * minuteMs);
    expect(sumOver(counter, t0 + 61 * minuteMs, 60 * minuteMs)).toBe(8n);
  });
});

describe('rules', () => {
  it('spend velocity fires on the first window above its bound', () => {
    const activity = newActivity('cu', t0);
    recordSpend(activity, { atMs: t0, amountMicros: 4_000_000n, newDestination: false,
      nowMs: t0 });
    const rule = { tenMinutesMicrosMax: micros(5_000_000n), hourMicrosMax: micros(3_000_000n),
      dayMicrosMax: null, action: 'suspend' as const };
    expect(spendVelocityFinding(activity, rule, t0, '44')).toMatchObject({
      ruleId: 'spend_velocity', details: { window: '1h', spent: '4.00', limit: '3.00' } });
    expect(spendVelocityFinding(activity, { ...rule, hourMicrosMax: null }, t0, '44')).toBeNull();
  });

  it('destination anomaly needs both the share and the amount, after learning', () => {
    const activity = newActivity('cu', t0);
    learnCall(activity.profile, { destination: '44', day: 100, hour: 10 });
    const rule = { historyDays: 30, windowMs: 60 * minuteMs, newSpendSharePercentMin: 50,
      newSpendMicrosMin: micros(5_000_000n), granularity: 'country' as const, prefixDigits: 3,
      learningDays: 7, action: 'alert' as const };
    recordSpend(activity, { atMs: t0, amountMicros: 4_000_000n, newDestination: false,
      nowMs: t0 });
    recordSpend(activity, { atMs: t0, amountMicros: 6_000_000n, newDestination: true,
      nowMs: t0 });
    expect(destinationAnomalyFinding(activity, rule, 106, t0, '234')).toBeNull();
    expect(destinationAnomalyFinding(activity, rule, 107, t0, '234')).toMatchObject({
      details: { new_spend: '6.00', total_spend: '10.00' } });
    expect(destinationAnomalyFinding(activity, { ...rule, newSpendSharePercentMin: 61 }, 107,
      t0, '234')).toBeNull();
    expect(destinationAnomalyFinding(activity, { ...rule, newSpendMicrosMin: micros(6_000_001n) },
      107, t0, '234')).toBeNull();
  });

  it('short-call bursts count answered calls only, against a share', () => {
    const activity = newActivity('cu', t0);
    const rule = { shortCallSecondsMax: 6, windowMs: 10 * minuteMs, shortCallsMin: 3,
      sharePercentMin: 50, action: 'alert' as const };
    for (const usedSeconds of [0, 0, 0, 2, 3]) {
      recordEndedCall(activity, { atMs: t0, usedSeconds, shortCallSecondsMax: 6, nowMs: t0 });
    }
    expect(shortCallBurstFinding(activity, rule, t0, null)).toBeNull();
    recordEndedCall(activity, { atMs: t0, usedSeconds: 4, shortCallSecondsMax: 6, nowMs: t0 });
    recordEndedCall(activity, { atMs: t0, usedSeconds: 400, shortCallSecondsMax: 6, nowMs: t0 });
    expect(shortCallBurstFinding(activity, rule, t0, null)).toMatchObject({
      details: { short_calls: '3', ended_calls: '4' } });
  });

  it('unusual hours: never the hour nor its neighbours, once old enough', () => {
    const activity = newActivity('cu', t0);
    for (let day = 0; day < 7; day += 1) {
      learnCall(activity.profile, { destination: '44', day: 200 + day, hour: 10 });
    }
    const rule = { learningDays: 7, action: 'alert' as const };
    expect(unusualHoursFinding(activity.profile, rule, { hour: 3, day: 206,
      destination: null })).toBeNull();
    expect(unusualHoursFinding(activity.profile, rule, { hour: 11, day: 207,
      destination: null })).toBeNull();
    expect(unusualHoursFinding(activity.profile, rule, { hour: 3, day: 207,
      destination: null })).toMatchObject({ ruleId: 'unusual_hours' });
    // A profile survives its snapshot.
    const copy = profileFromJson(profileToJson(activity.profile));
    expect(unusualHoursFinding(copy, rule, { hour: 3, day: 207, destination: null }))
      .not.toBeNull();
    expect(copy.destinations.get('44')).toEqual({ lastDay: 206, previousDay: 205 });
  });
});
