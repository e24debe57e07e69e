import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avp, decodeMessage, encodeMessage } from '../../src/diameter/diameter-codec.ts';
import { account } from '../charging/charging-harness.ts';
import { deckOf, openDiameterHarness, perSecondDeck, type DiameterHarness } from
  '../diameter/diameter-harness.ts';
import { ccrAvps } from '../diameter/diameter-test-client.ts';
import { asRequest, editedFrames, fuzzSubscriber, mutatedFrames } from './diameter-frames.ts';
import { FuzzPeer, resultCodeOf } from './diameter-peer.ts';
import { caseCounter, fuzzParameters, fuzzSeed, fuzzTimeoutMs } from './fuzz-settings.ts';

/**
 * The Diameter server over a real socket, fed mutated and AVP-edited requests one at a time.
 * Each request is answered (an answer, with the request's hop-by-hop id) or the connection is
 * closed; never silence, never a crash. A request answered with anything but 2xxx, or not
 * answered, moves no money. Afterwards a new peer still gets a CEA and a charged call.
 */

const ciRuns = 1_500;
const silentMsMax = 3_000;
let harness: DiameterHarness;

beforeAll(async () => {
  harness = await openDiameterHarness({ settings: { sliceSeconds: 10 } });
  harness.decks.set('d1', deckOf(perSecondDeck));
  await account(harness, { id: 'root', tier: 'super_admin' });
  // Enough for every grant of a long run, so that CCRs keep reaching the money paths.
  await account(harness, { id: 'fuzz', tier: 'customer', parentId: 'root', deck: 'd1',
    topup: '100000.00' });
  await account(harness, { id: 'after', tier: 'customer', parentId: 'root', deck: 'd1',
    topup: '1.00' });
  await harness.identify('sip_uri', fuzzSubscriber, 'fuzz');
  await harness.identify('sip_uri', 'sip:sipp@127.0.0.1', 'fuzz');
  await harness.identify('sip_uri', 'sip:after@127.0.0.1', 'after');
});

afterAll(async () => {
  await harness?.close();
});

/** Posted and pending micros of every account the fuzz can reach. */
async function moneyOf(): Promise<string> {
  const parts: string[] = [];
  for (const id of ['root', 'fuzz', 'after']) {
    const view = await harness.ledger.getAccount(id);
    if (!view.ok) throw new Error(view.message);
    parts.push(`${id}:${view.value.postedMicros}:${view.value.pendingMicros}:` +
      view.value.revenueBooks.map((book) => book.postedMicros).join('/'));
  }
  return parts.join(' ');
}

const requests = fc.oneof(editedFrames, mutatedFrames.map(asRequest))
  .filter((frame) => frame.length >= 20);

describe(`Diameter server fuzz (seed ${fuzzSeed})`, () => {
  it('answers every request or closes; a refused or unanswered request moves no money',
    async () => {
      const counter = caseCounter('diameter server socket');
      const seen = { success: 0, refused: 0, closed: 0 };
      let peer = await FuzzPeer.open(harness.server.port);
      await fc.assert(fc.asyncProperty(requests, async (frame) => {
        counter.count();
        if (peer.closed) peer = await FuzzPeer.open(harness.server.port);
        const before = await moneyOf();
        peer.write(frame);
        const outcome = await peer.next(silentMsMax);
        expect(outcome, `no answer and still open: ${frame.toString('hex')}`).not.toBe('silent');
        const answer = outcome === 'closed' || outcome === 'silent' ? null
          : decodeMessage(outcome);
        if (answer !== null) {
          expect(answer.flags & 0x80, 'an answer, not a request').toBe(0);
          expect(answer.hopByHopId).toBe(frame.readUInt32BE(12));
        }
        const resultCode = answer === null ? undefined : resultCodeOf(answer);
        const succeeded = resultCode !== undefined && resultCode >= 2000 && resultCode < 3000;
        seen[answer === null ? 'closed' : succeeded ? 'success' : 'refused'] += 1;
        if (!succeeded) expect(await moneyOf(), frame.toString('hex')).toBe(before);
      }), fuzzParameters(ciRuns));
      peer.destroy();
      counter.report();
      console.info(`diameter server outcomes: ${JSON.stringify(seen)}`);
      expect(Math.min(seen.success, seen.refused)).toBeGreaterThan(0);
    }, fuzzTimeoutMs(ciRuns, 10));

  it('still serves a new peer: CER, then a call charged to the micro', async () => {
    const peer = await FuzzPeer.open(harness.server.port);
    const ccr = (type: 1 | 3, number: number, units: Record<string, number>) =>
      encodeMessage({ flags: 0x80, commandCode: 272, applicationId: 4, hopByHopId: 9 + number,
        endToEndId: 9 }, ccrAvps({ sessionId: 'after;1', type, number, ...units,
        called: 'sip:442079460000@127.0.0.1', subscription: { type: 2,
          data: 'sip:after@127.0.0.1' } }));
    const before = await harness.ledger.getAccount('after');
    peer.write(ccr(1, 0, { requestedSeconds: 10 }));
    const initial = await peer.next(silentMsMax);
    expect(initial).toBeInstanceOf(Buffer);
    expect(resultCodeOf(decodeMessage(initial as Buffer))).toBe(2001);
    peer.write(ccr(3, 1, { usedSeconds: 7 }));
    const final = await peer.next(silentMsMax);
    expect(resultCodeOf(decodeMessage(final as Buffer))).toBe(2001);
    peer.write(encodeMessage({ flags: 0x80, commandCode: 280, applicationId: 0, hopByHopId: 5,
      endToEndId: 5 }, [avp('Origin-Host', 'f'), avp('Origin-Realm', 'r')]));
    expect(resultCodeOf(decodeMessage(await peer.next(silentMsMax) as Buffer))).toBe(2001);
    peer.destroy();
    const after = await harness.ledger.getAccount('after');
    if (!before.ok || !after.ok) throw new Error('account after is readable');
    // 7 s at 0.06 a minute, per second: 0.007.
    expect(before.value.postedMicros - after.value.postedMicros).toBe(7_000n);
  });
});
