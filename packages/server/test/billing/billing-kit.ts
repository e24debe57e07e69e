import {
  assert,
  parseRateDeckCsv,
  parseRateDeckSettings,
  prefixIndexOf,
  type GrantAnswer,
} from '@tollgate/core';
import type { BillingHarness } from './billing-harness.ts';

const shown = (value: unknown) => JSON.stringify(value, (_key, entry: unknown) =>
  typeof entry === 'bigint' ? entry.toString() : entry);

/** A deck priced in whole cents per started minute, so every rated call is whole cents. */
export function addCentDeck(harness: BillingHarness, id: string, rates: Record<string, string>) {
  const settings = parseRateDeckSettings({ currency: 'USD', decimals: '2' });
  assert(settings.ok, 'test deck settings are valid');
  const names: Record<string, string> = { 44: 'United Kingdom', 49: 'Germany' };
  const rows = Object.entries(rates).map(([prefix, rate]) =>
    `${prefix},${names[prefix] ?? prefix},${rate},60,60`);
  const csv = `prefix,destination,rate,initial_increment_s,increment_s\n${rows.join('\n')}\n`;
  const deck = parseRateDeckCsv(csv, { settings: settings.value });
  assert(deck.ok, `test deck ${id} parses`);
  prefixIndexOf(deck.value);
  harness.decks.set(id, deck.value);
}

/** Starts a call at `atText`. */
export async function startCall(harness: BillingHarness, spec: {
  sessionId: string; accountId: string; callee: string; atText: string;
}): Promise<void> {
  harness.clock.setMs(Date.parse(spec.atText));
  const granted = await harness.charging.authorize({ sessionId: spec.sessionId,
    requestNumber: 0, accountId: spec.accountId, caller: '15550001', callee: spec.callee });
  assert(granted.ok && (granted.value as GrantAnswer).status === 'granted',
    `call ${spec.sessionId} is granted: ${shown(granted)}`);
}

/** Reports (update) or ends (terminate) a call at `atText` with `usedSeconds` in total. */
export async function reportCall(harness: BillingHarness, spec: {
  sessionId: string; requestNumber: number; atText: string; usedSeconds: number; end: boolean;
}): Promise<void> {
  harness.clock.setMs(Date.parse(spec.atText));
  const request = { sessionId: spec.sessionId, requestNumber: spec.requestNumber,
    usedSeconds: spec.usedSeconds };
  const answer = spec.end ? await harness.charging.terminate(request)
    : await harness.charging.update(request);
  assert(answer.ok, `${spec.end ? 'terminate' : 'update'} of ${spec.sessionId}: ` +
    shown(answer));
}

/** One call from `startText` lasting `seconds`, with no interim report. */
export async function call(harness: BillingHarness, spec: {
  sessionId: string; accountId: string; callee: string; startText: string; seconds: number;
}): Promise<void> {
  await startCall(harness, { ...spec, atText: spec.startText });
  await reportCall(harness, { sessionId: spec.sessionId, requestNumber: 1, usedSeconds:
    spec.seconds, end: true,
  atText: new Date(Date.parse(spec.startText) + spec.seconds * 1000).toISOString() });
}
