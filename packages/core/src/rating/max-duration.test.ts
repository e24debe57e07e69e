import { describe, expect, it } from 'vitest';
import { band, deck, money } from '../../test/rating-kit.ts';
import { formatMicros, micros } from '../kernel/money.ts';
import type { RateDeck } from '../tariffs/rate-deck.ts';
import { maxCallDuration, rateCall } from './rate-call.ts';

function maxSeconds(d: RateDeck, funds: string, options: { at?: string; capS?: number;
  bundleS?: number; number?: string } = {}) {
  const result = maxCallDuration({
    deck: d,
    number: options.number ?? '441234',
    startedAtMs: Date.parse(options.at ?? '2026-11-30T12:00:00Z'),
    fundsMicros: funds.startsWith('-') ? micros(-money(funds.slice(1))) : money(funds),
    capS: options.capS ?? 86_400,
    bundleSecondsAvailable: options.bundleS ?? 0,
  });
  return result;
}

describe('max duration: the exact inverse of rating', () => {
  it('connect 0.05, 0.20/min, 30/6 on 1.00 grants 282 s, not ASTPP\'s 285 s', () => {
    const d = deck([{ prefix: '44', rate: '0.20', connect: '0.05', initial: 30, increment: 6 }]);
    const result = maxSeconds(d, '1.00');
    expect(result).toMatchObject({ status: 'ok', maxSeconds: 282, capped: false });
    if (result.status === 'ok') expect(formatMicros(result.costMicros, 4)).toBe('0.9900');
  });
  it.each([
    { funds: '1.00', seconds: 100 },
    { funds: '0.33', seconds: 33 },
    { funds: '0.009', seconds: 0 },
    { funds: '0', seconds: 0 },
    { funds: '-1', seconds: 0 },
  ])('0.60/min per second on $funds lasts $seconds s', ({ funds, seconds }) => {
    expect(maxSeconds(deck([{ prefix: '44', rate: '0.60' }]), funds)).toMatchObject({
      maxSeconds: seconds,
    });
  });
  it('funds below the connect fee still allow the free included seconds', () => {
    const d = deck([{ prefix: '44', rate: '0.60', connect: '0.10', included: 20 }]);
    expect(maxSeconds(d, '0.05')).toMatchObject({ maxSeconds: 20 });
  });
  it('is capped, and says so', () => {
    expect(maxSeconds(deck([{ prefix: '44', rate: '0' }]), '1', { capS: 60 })).toMatchObject({
      maxSeconds: 60,
      capped: true,
    });
  });
  it('stops before a block that would start in a gap', () => {
    const peakOnly = deck([{ prefix: '44', rate: '0.10', band: 'peak' }], {
      bands: [band('peak', 'Mon Tue Wed Thu Fri', '08:00', '18:00')],
    });
    expect(maxSeconds(peakOnly, '100', { at: '2026-11-30T17:59:00Z' })).toMatchObject({
      maxSeconds: 60,
      noRateFromS: 61,
    });
    expect(maxSeconds(peakOnly, '100', { at: '2026-11-30T19:00:00Z' })).toMatchObject({
      status: 'no_rate',
    });
  });
  it('an unknown number is no_rate', () => {
    expect(maxSeconds(deck([{ prefix: '44', rate: '0.1' }]), '1', { number: '33' })).toEqual({
      status: 'no_rate',
      reason: 'no_prefix',
    });
  });
  it('counts bundle seconds before money', () => {
    const d = deck([{ prefix: '44', rate: '0.60' }]);
    expect(maxSeconds(d, '0.10', { bundleS: 50 })).toMatchObject({ maxSeconds: 60 });
  });
  it('works across tiers and bands', () => {
    const d = deck(
      [
        { prefix: '44', rate: '0.60', initial: 60, increment: 60 },
        { prefix: '44', rate: '0.06', from: 60 },
        { prefix: '44', rate: '0.03', band: 'night' },
      ],
      { bands: [band('night', 'Mon Tue Wed Thu Fri Sat Sun', '18:00', '06:00')] },
    );
    // From 17:58: 60 s at 0.60 (0.60), 60 s at 0.06/min (0.06), then night at 0.03/min.
    const result = maxSeconds(d, '0.69', { at: '2026-11-30T17:58:00Z' });
    expect(result).toMatchObject({ maxSeconds: 180 });
    const at = Date.parse('2026-11-30T17:58:00Z');
    const cost = rateCall({ deck: d, number: '441', startedAtMs: at, durationS: 180 });
    const next = rateCall({ deck: d, number: '441', startedAtMs: at, durationS: 181 });
    expect(cost.status === 'rated' && formatMicros(cost.costMicros, 4)).toBe('0.6900');
    expect(next.status === 'rated' && next.costMicros > money('0.69')).toBe(true);
  });
});
