import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAvp } from '../../src/diameter/avp-read.ts';
import { encodeAnswer } from '../../src/diameter/base-answers.ts';
import { avp, echoAvp } from '../../src/diameter/diameter-codec.ts';
import { startDiameterServer } from '../../src/diameter/diameter-server.ts';
import { diameterLimits } from '../../src/diameter/diameter-service.ts';
import { account, balances, money } from '../charging/charging-harness.ts';
import { deckOf, openDiameterHarness, perSecondDeck, type DiameterHarness } from
  './diameter-harness.ts';
import { buildErlangClient, erlangFixtures, fieldsOf } from './erlang-build.ts';

/**
 * The second, independent client: Erlang/OTP's diameter application with the RFC 4006
 * dictionary from erlang-examples (protocols.md 2.3). It decodes every CCA against the RFC 4006
 * grammar and reports each violation (a missing mandatory AVP is 5005, and so on).
 */

const run = promisify(execFile);
const fixtures = erlangFixtures;

let harness: DiameterHarness;
let ebin: string;

beforeAll(async () => {
  harness = await openDiameterHarness({ settings: { sliceSeconds: 10 } });
  harness.decks.set('d1', deckOf(perSecondDeck));
  await account(harness, { id: 'root', tier: 'super_admin' });
  await account(harness, { id: 'erin', tier: 'customer', parentId: 'root', deck: 'd1',
    topup: '1.00' });
  await account(harness, { id: 'poor', tier: 'customer', parentId: 'root', deck: 'd1' });
  await harness.identify('sip_uri', 'sip:erin@127.0.0.1', 'erin');
  await harness.identify('sip_uri', 'sip:poor@127.0.0.1', 'poor');
  ebin = buildErlangClient();
}, 120_000);

afterAll(async () => {
  await harness?.close();
  if (ebin !== undefined) rmSync(ebin, { recursive: true, force: true });
});

function parseAnswers(stdout: string): Map<string, Record<string, string>> {
  const answers = new Map<string, Record<string, string>>();
  for (const line of stdout.split('\n')) {
    const match = /^answer (\S+) (.*)$/.exec(line);
    if (match === null) continue;
    const fields = fieldsOf(match[2]!);
    answers.set(match[1]!, fields);
  }
  return answers;
}

describe('Erlang/OTP diameter as a strict RFC 4006 client', () => {
  it('every CCA of a call, an event and the refusals passes the RFC 4006 grammar', async () => {
    const { stdout } = await run('escript', [join(fixtures, 'tollgate_ccr_client.escript'), ebin,
      String(harness.server.port), 'sip:erin@127.0.0.1:5070', 'sip:poor@127.0.0.1'],
    { timeout: 60_000 });
    expect(stdout).toContain('done');
    const answers = parseAnswers(stdout);
    expect([...answers.keys()]).toEqual(['initial', 'update', 'terminate', 'terminate_again',
      'event', 'unknown_user', 'no_credit', 'no_credit_end', 'unknown_session', 'order_initial',
      'out_of_order', 'order_end']);
    for (const [label, fields] of answers) {
      expect({ label, errors: fields['errors'], command: fields['command'] })
        .toEqual({ label, errors: '[]', command: 'CCA' });
    }
    expect(answers.get('initial')).toMatchObject({ result: '2001', number: '0', gsu: '10',
      validity: '10', fui: 'none' });
    expect(answers.get('update')).toMatchObject({ result: '2001', number: '1', gsu: '10' });
    expect(answers.get('terminate')).toMatchObject({ result: '2001', number: '2' });
    expect(answers.get('terminate_again')).toMatchObject({ result: '2001', number: '2' });
    expect(answers.get('event')).toMatchObject({ result: '2001', number: '0', gsu: '30',
      money: '3/-2' });
    expect(answers.get('unknown_user')).toMatchObject({ result: '5030' });
    expect(answers.get('no_credit')).toMatchObject({ result: '4012' });
    expect(answers.get('no_credit_end')).toMatchObject({ result: '2001', number: '1' });
    expect(answers.get('unknown_session')).toMatchObject({ result: '5002', number: '1' });
    expect(answers.get('order_initial')).toMatchObject({ result: '2001', gsu: '10' });
    expect(answers.get('out_of_order')).toMatchObject({ result: '5004', number: '5' });
    expect(answers.get('order_end')).toMatchObject({ result: '2001', number: '1' });
    // 13 s and 2 s of calls and a 30 s event at 0.001 a second, each charged once.
    const erin = await balances(harness, 'erin');
    expect(erin.postedMicros).toBe(money('0.955'));
    expect(erin.pendingMicros).toBe(0n);
  }, 120_000);

  it('the client does catch a CCA that breaks the grammar (no CC-Request-Number: 5005)',
    async () => {
      const local = { originHost: 'broken.test.local', originRealm: 'test.local',
        productName: 'broken', originStateId: 1 };
      const broken = await startDiameterServer({ host: '127.0.0.1', port: 0, local,
        policy: { acceptUnknownPeers: true, allowedPeers: new Set() },
        limits: diameterLimits.peer, connectionsMax: 4,
        handler: async (request) => encodeAnswer(request, 2001, [
          echoAvp(findAvp(request.avps, 'Session-Id')!), avp('Result-Code', 2001),
          avp('Origin-Host', local.originHost), avp('Origin-Realm', local.originRealm),
          avp('Auth-Application-Id', 4), echoAvp(findAvp(request.avps, 'CC-Request-Type')!)]) });
      try {
        const { stdout } = await run('escript', [join(fixtures, 'tollgate_ccr_client.escript'),
          ebin, String(broken.port), 'sip:erin@127.0.0.1', 'sip:poor@127.0.0.1'],
        { timeout: 60_000 });
        expect(parseAnswers(stdout).get('initial')).toMatchObject({ errors: '[5005]' });
      } finally {
        await broken.close(1_000);
      }
    }, 120_000);
});
