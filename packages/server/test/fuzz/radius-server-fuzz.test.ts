import { createSocket, type Socket } from 'node:dgram';
import fc from 'fast-check';
import radius from 'radius';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingSwitchLog } from '../../src/switches/teardown/switch-log.ts';
import { openTestApi, seedWorld, type TestApi } from '../http/http-fixture.ts';
import { radiusSecret, startRadiusRig, type RadiusRig } from '../switches/radius-harness.ts';
import { caseCounter, fuzzParameters, fuzzSeed, fuzzTimeoutMs } from './fuzz-settings.ts';
import { openLedgerFingerprint } from './ledger-fingerprint.ts';
import { editedRequests, mutatedRequests, replySigned } from './radius-packets.ts';
import { WakeSignal } from './wake-signal.ts';

/**
 * The RADIUS server over real UDP sockets, fed mutated and re-signed requests one at a time.
 * Each datagram ends in a signed reply to it, or in a logged drop; never an internal error,
 * never silence. Nothing dropped or rejected moves money. Afterwards a valid Access-Request
 * is still accepted.
 */

const ciRuns = 1_500;
const silentMsMax = 3_000;
/** A retransmission of a dropped request is not answered; of an answered one, at once. */
const retransmissionGraceMs = 50;

let api: TestApi;
let rig: RadiusRig;
let nas: Socket;
const replies: Buffer[] = [];
const signal = new WakeSignal();
const log = recordingSwitchLog();

beforeAll(async () => {
  // Durability is not under test here: without an fsync a commit, a case costs a fraction.
  api = await openTestApi('sqlite', { sqliteSynchronous: 'OFF' });
  const world = await seedWorld(api);
  // Funds for every grant of a long run (calls stay open, holding their grants at every level
  // of the chain), so that requests keep reaching the money paths.
  for (const id of ['cu1', 'rs', 'ad']) {
    const topup = await api.call({ method: 'POST', url: `/v1/accounts/${id}/topups`,
      json: { amount: '100000.00', reference: 'radius-fuzz' } });
    expect(topup.status).toBe(201);
  }
  // An account no fuzzed User-Name names, for the request after the fuzz.
  const after = await api.call({ method: 'POST', url: '/v1/accounts', json: { id: 'after',
    parent_id: 'rs', tier: 'customer', currency: 'USD', mode: 'postpaid', credit_limit: '5.00',
    rate_deck_id: world.decks.retail } });
  expect(after.status).toBe(201);
  const waking = { entries: log.entries,
    info: (...args: Parameters<typeof log.info>) => { log.info(...args); signal.wake(); },
    warn: (...args: Parameters<typeof log.warn>) => { log.warn(...args); signal.wake(); } };
  rig = await startRadiusRig(api, waking);
  nas = createSocket('udp4');
  nas.on('message', (bytes) => {
    replies.push(bytes);
    signal.wake();
  });
  await new Promise<void>((resolve) => nas.bind(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  nas?.close();
  await rig?.close();
  await api?.close();
});

type Outcome = 'reply' | 'dropped' | 'failed' | 'silent';

/** Sends one datagram and waits for what the server made of it. */
async function exchange(datagram: Buffer, port: number): Promise<[Outcome, Buffer | null]> {
  replies.length = 0;
  const logged = log.entries.length;
  const ended = () => log.entries.slice(logged).find((entry) =>
    entry.message.includes('dropped') || entry.message.includes('failed') ||
    entry.code === 'retransmission');
  nas.send(datagram, port, '127.0.0.1');
  await signal.until(() => replies.length > 0 || ended() !== undefined, silentMsMax);
  if (ended()?.code === 'retransmission') {
    await signal.until(() => replies.length > 0, retransmissionGraceMs);
  }
  const reply = replies[0] ?? null;
  if (reply !== null) return ['reply', reply];
  const end = ended();
  if (end === undefined) return ['silent', null];
  return [end.code === 'internal_error' ? 'failed' : 'dropped', null];
}

describe(`RADIUS server fuzz (seed ${fuzzSeed})`, () => {
  it('replies with a signed answer or drops with a code; drops and rejects move no money',
    async () => {
      const counter = caseCounter('radius server socket');
      const seen: Record<string, number> = {};
      const ledger = openLedgerFingerprint(api.config.database);
      const datagrams = fc.tuple(fc.oneof(editedRequests, mutatedRequests), fc.boolean());
      await fc.assert(fc.asyncProperty(datagrams, async ([datagram, toAuthPort]) => {
        counter.count();
        const before = ledger.read().text;
        const port = toAuthPort ? rig.server.authPort : rig.server.acctPort;
        const [outcome, reply] = await exchange(datagram, port);
        const label = `${outcome} ${datagram.toString('hex')}`;
        expect(['reply', 'dropped'], label).toContain(outcome);
        const kind = reply === null ? outcome : `reply ${reply[0]}`;
        seen[kind] = (seen[kind] ?? 0) + 1;
        if (reply !== null) {
          expect(reply[1], label).toBe(datagram[1]);
          expect(replySigned(datagram, reply), label).toBe(true);
          expect(datagram[0] === 1 ? [2, 3] : [5], label).toContain(reply[0]);
        }
        if (reply === null || reply[0] === 3) expect(ledger.read().text, label).toBe(before);
      }), fuzzParameters(ciRuns));
      ledger.close();
      counter.report();
      console.info(`radius server outcomes: ${JSON.stringify(seen)}`);
      expect(Math.min(seen['dropped'] ?? 0, seen['reply 2'] ?? 0, seen['reply 3'] ?? 0,
        seen['reply 5'] ?? 0)).toBeGreaterThan(0);
    }, fuzzTimeoutMs(ciRuns, 10));

  it('still accepts a valid Access-Request', async () => {
    const request = radius.encode({ code: 'Access-Request', secret: radiusSecret,
      identifier: 77, add_message_authenticator: true, attributes: [['User-Name', 'after'],
        ['Calling-Station-Id', '15551230000'], ['Called-Station-Id', '442079460000'],
        ['Acct-Session-Id', 'after-fuzz']] });
    const [outcome, reply] = await exchange(request, rig.server.authPort);
    expect(outcome).toBe('reply');
    expect(radius.verify_response({ request, response: reply!, secret: radiusSecret }))
      .toBe(true);
    expect(radius.decode({ packet: reply!, secret: radiusSecret }).code).toBe('Access-Accept');
  });
});
