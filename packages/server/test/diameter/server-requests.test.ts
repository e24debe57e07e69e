import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAvp, textOf, unsigned32Of } from '../../src/diameter/avp-read.ts';
import { avp, encodeMessage, type DiameterMessage } from '../../src/diameter/diameter-codec.ts';
import { normalizeIdentity } from '../../src/diameter/subscriber-directory.ts';
import { diameterLimits, startDiameter } from '../../src/diameter/diameter-service.ts';
import type { RunningDiameterServer } from '../../src/diameter/diameter-server.ts';
import { openTestApi, seedWorld, type TestApi, type World } from '../http/http-fixture.ts';
import { buildErlangClient, erlangFixtures, fieldsOf } from './erlang-build.ts';
import { openDiameterHarness } from './diameter-harness.ts';
import { ccrAvps, TestDiameterClient } from './diameter-test-client.ts';

/**
 * Tollgate's own Diameter requests (issue 16) seen by the strict Erlang/OTP client, through the
 * real API: a kill is an ASR, a suspension an RAR (the client's CCR-U is refused, its CCR-T
 * gets the kill's settlement), a top-up under a live call an RAR that grants more. Each call
 * is settled exactly once, whatever the client answers; a peer that is gone changes nothing.
 */

let api: TestApi;
let world: World;
let server: RunningDiameterServer;
let ebin: string;
let client: ChildProcessWithoutNullStreams;
const lines: string[] = [];

beforeAll(async () => {
  api = await openTestApi('sqlite');
  world = await seedWorld(api);
  const created = await api.call({ method: 'POST', url: '/v1/accounts', json: { id: 'cu3',
    parent_id: 'rs', tier: 'customer', mode: 'prepaid', currency: 'USD',
    rate_deck_id: world.decks.retail } });
  expect(created.status).toBe(201);
  expect((await api.call({ method: 'POST', url: '/v1/accounts/cu3/topups',
    json: { amount: '0.20', reference: 'first' } })).status).toBe(201);
  const identities = api.services.subscriberIdentities!;
  for (const id of ['cu1', 'cu2', 'cu3']) {
    const identity = normalizeIdentity('sip_uri', `sip:${id}@127.0.0.1`)!;
    await identities.put({ ...identity, accountId: id, charging: 'online',
      createdAtMs: Date.now() });
  }
  server = await startDiameter({ settings: { host: '127.0.0.1', port: 0,
    originHost: 'ocs.test.local', originRealm: 'test.local', allowedPeers: [] },
  charging: api.services.charging, directory: identities, switches: api.services.switches,
  clock: api.services.clock });
  ebin = buildErlangClient();
  client = spawn('escript', [join(erlangFixtures, 'tollgate_live_client.escript'), ebin,
    String(server.port)]);
  let partial = '';
  client.stdout.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const complete = text.split('\n');
    partial = complete.pop() ?? '';
    lines.push(...complete);
  });
  client.stderr.on('data', (chunk: Buffer) => lines.push(`stderr ${chunk.toString('utf8')}`));
  await lineMatching(/^ready$/, 20_000);
}, 120_000);

afterAll(async () => {
  if (client !== undefined && client.exitCode === null) {
    client.stdin.write('quit\n');
    await new Promise((resolve) => {
      const timer = setTimeout(() => {
        client.kill('SIGKILL');
        resolve(undefined);
      }, 5_000);
      client.once('exit', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
  }
  await server?.close(1_000);
  await api?.close();
  if (ebin !== undefined) rmSync(ebin, { recursive: true, force: true });
});

/** The first line (from `from` on) that matches, waiting for it at most `timeoutMs`. */
async function lineMatching(pattern: RegExp, timeoutMs = 10_000, from = 0): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = lines.slice(from).find((line) => pattern.test(line));
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      throw new Error(`no line matching ${pattern}; the client said:\n${lines.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function tell(command: string): void {
  client.stdin.write(`${command}\n`);
}

async function answerOf(label: string): Promise<Record<string, string>> {
  const line = await lineMatching(new RegExp(`^answer ${label} `));
  return fieldsOf(line.slice(`answer ${label} `.length));
}

async function requestFor(command: 'RAR' | 'ASR', sessionId: string) {
  const line = await lineMatching(new RegExp(`^request ${command} session=${escape(sessionId)} `));
  return fieldsOf(line.slice(`request ${command} `.length));
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A CCR-I from the Erlang client; the session id Tollgate stores for it. */
async function start(label: string, user: string, requestedSeconds: number) {
  tell(`start ${label} sip:${user}@127.0.0.1 ${requestedSeconds}`);
  const initial = await answerOf(label);
  const session = await lineMatching(new RegExp(`^session ${label} `));
  return { initial, sessionId: session.split(' ')[2]! };
}

async function accountOf(id: string) {
  return (await api.call({ method: 'GET', url: `/v1/accounts/${id}` })).body;
}

async function cdrsOf(customer: string, sessionId: string) {
  const listed = await api.call({ method: 'GET', url: `/v1/cdrs?customer_id=${customer}`,
    key: world.keys.rs });
  return (listed.body['cdrs'] as Array<Record<string, unknown>>)
    .filter((cdr) => cdr['session_id'] === sessionId);
}

const kill = (sessionId: string) => api.call({ method: 'POST',
  url: `/v1/sessions/${encodeURIComponent(sessionId)}/kill` });

describe('Tollgate\'s own Diameter requests, seen by the Erlang/OTP client', () => {
  it('a kill through the API is an ASR; the client\'s CCR-T gets the kill\'s settlement, ' +
    'charged once', async () => {
    const { initial, sessionId } = await start('kill', 'cu1', 10);
    expect(initial).toMatchObject({ result: '2001', gsu: '10', errors: '[]' });
    const before = await accountOf('cu1');
    const killed = await kill(sessionId);
    expect(killed.status, killed.text).toBe(200);
    expect(killed.body).toMatchObject({ status: 'killed', teardown: 'ended' });
    expect(await requestFor('ASR', sessionId)).toMatchObject({ errors: '[]',
      destination: 'erlang.test.local', result: '2001' });
    expect(await answerOf('kill_abort_end')).toMatchObject({ result: '2001', errors: '[]' });
    const cdrs = await cdrsOf('cu1', sessionId);
    expect(cdrs.map((cdr) => cdr['disposition'])).toEqual(['killed']);
    const after = await accountOf('cu1');
    expect(Number(after['balance'])).toBeCloseTo(Number(before['balance']) -
      Number(killed.body['cost']), 6);
    expect(after['reserved']).toBe('0.00');
  }, 30_000);

  it('a suspension is an RAR: the CCR-U is refused (4012), the CCR-T settles nothing more',
    async () => {
      const { initial, sessionId } = await start('susp', 'cu2', 10);
      expect(initial).toMatchObject({ result: '2001', gsu: '10' });
      const suspended = await api.call({ method: 'POST', url: '/v1/accounts/cu2/suspend' });
      expect(suspended.status, suspended.text).toBe(200);
      expect(await requestFor('RAR', sessionId)).toMatchObject({ errors: '[]', type: '0',
        destination: 'erlang.test.local' });
      expect(await answerOf('susp_reauth')).toMatchObject({ result: '4012', errors: '[]' });
      expect(await answerOf('susp_end')).toMatchObject({ result: '2001', errors: '[]' });
      const cdrs = await cdrsOf('cu2', sessionId);
      expect(cdrs.map((cdr) => cdr['disposition'])).toEqual(['killed']);
      expect((await accountOf('cu2'))['reserved']).toBe('0.00');
    }, 30_000);

  it('a top-up under a call told its grant is final: RAR, and the CCR-U is granted more',
    async () => {
      const { initial, sessionId } = await start('funds', 'cu3', 60);
      // 0.20 at 0.20/min + 0.05 connect in 30/6 s blocks pays 42 s: the last grant.
      expect(initial).toMatchObject({ result: '2001', gsu: '42', fui: '0' });
      const topped = await api.call({ method: 'POST', url: '/v1/accounts/cu3/topups',
        json: { amount: '5.00', reference: 'more' } });
      expect(topped.status).toBe(201);
      expect(await requestFor('RAR', sessionId)).toMatchObject({ errors: '[]', type: '0' });
      // The CCR-U asks 10 s more: granted in full, and no longer the last grant.
      expect(await answerOf('funds_reauth')).toMatchObject({ result: '2001', gsu: '10',
        fui: 'none', errors: '[]' });
    }, 30_000);

  it('an ASR answered with an error: the kill stands and the client\'s next requests end ' +
    'the call without charging again', async () => {
    tell('answer 5012');
    const { sessionId } = await start('stubborn', 'cu1', 10);
    const killed = await kill(sessionId);
    expect(killed.body).toMatchObject({ status: 'killed', teardown: 'switch_refused' });
    expect(await requestFor('ASR', sessionId)).toMatchObject({ result: '5012' });
    const settled = await accountOf('cu1');
    tell('answer 2001');
    tell('update stubborn');
    expect(await answerOf('stubborn_reauth')).toMatchObject({ result: '4012' });
    expect(await answerOf('stubborn_end')).toMatchObject({ result: '2001' });
    expect((await cdrsOf('cu1', sessionId)).map((cdr) => cdr['disposition']))
      .toEqual(['killed']);
    expect(await accountOf('cu1')).toEqual(settled);
  }, 30_000);

  it('a kill whose client is gone is settled; the teardown says switch_unreachable',
    async () => {
      const gone = await TestDiameterClient.open(server.port);
      await gone.capabilitiesExchange('gone.test.local');
      const sessionId = 'gone.test.local;1;1';
      const initial = await gone.request(272, 4, ccrAvps({ sessionId, type: 1, number: 0,
        subscription: { type: 2, data: 'sip:cu1@127.0.0.1' }, called: 'sip:4420700000@x',
        requestedSeconds: 10 }));
      expect(initial.avps.length).toBeGreaterThan(0);
      gone.close();
      await gone.closed;
      const killed = await kill(sessionId);
      expect(killed.body).toMatchObject({ status: 'killed', teardown: 'switch_unreachable' });
      expect((await cdrsOf('cu1', sessionId)).map((cdr) => cdr['disposition']))
        .toEqual(['killed']);
    }, 30_000);
});

describe('Tollgate\'s own requests to a client that refuses or stays silent', () => {
  /** The first request `commandCode` Tollgate sent `peer` (for `sessionId`, when given). */
  async function requestOf(peer: TestDiameterClient, commandCode: number, sessionId?: string) {
    const deadline = Date.now() + 3_000;
    for (;;) {
      const found = peer.requests.find((request) => request.commandCode === commandCode &&
        (sessionId === undefined ||
          textOf(findAvp(request.avps, 'Session-Id')!) === sessionId));
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no request ${commandCode}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  function answer(peer: TestDiameterClient, request: DiameterMessage, resultCode: number) {
    peer.write(encodeMessage({ flags: request.flags & 0x40 | (resultCode < 4000 ? 0x20 : 0),
      commandCode: request.commandCode, applicationId: request.applicationId,
      hopByHopId: request.hopByHopId, endToEndId: request.endToEndId },
    [findAvp(request.avps, 'Session-Id')!, avp('Result-Code', resultCode),
      avp('Origin-Host', 'plain.test.local'), avp('Origin-Realm', 'test.local')]));
  }

  async function startOn(peer: TestDiameterClient, sessionId: string) {
    const initial = await peer.request(272, 4, ccrAvps({ sessionId, type: 1, number: 0,
      subscription: { type: 2, data: 'sip:cu1@127.0.0.1' }, called: 'sip:4420700000@x',
      requestedSeconds: 10 }));
    expect(unsigned32Of(findAvp(initial.avps, 'Result-Code')!)).toBe(2001);
  }

  it('an RAR refused with 3001 (as by a client without re-auth) falls back to an ASR; ' +
    'an ASA 5002 means the call is already gone; no answer is teardown_timeout', async () => {
    const peer = await TestDiameterClient.open(server.port);
    try {
      await peer.capabilitiesExchange('plain.test.local');
      await startOn(peer, 'plain.test.local;1;suspended');
      const suspended = api.services.switches.teardown.killSession({
        sessionId: 'plain.test.local;1;suspended', reason: 'account_suspended' });
      const rar = await requestOf(peer, 258);
      expect(textOf(findAvp(rar.avps, 'Destination-Host')!)).toBe('plain.test.local');
      expect(unsigned32Of(findAvp(rar.avps, 'Re-Auth-Request-Type')!)).toBe(0);
      answer(peer, rar, 3001);
      const asr = await requestOf(peer, 274);
      expect(textOf(findAvp(asr.avps, 'Session-Id')!)).toBe('plain.test.local;1;suspended');
      expect(unsigned32Of(findAvp(asr.avps, 'Auth-Application-Id')!)).toBe(4);
      answer(peer, asr, 5002);
      const outcome = await suspended;
      expect(outcome.ok && outcome.value.teardown).toEqual({ status: 'ended' });
      await startOn(peer, 'plain.test.local;2;silent');
      const silent = await api.services.switches.teardown.killSession({
        sessionId: 'plain.test.local;2;silent', reason: 'operator_kill' });
      expect(silent.ok && silent.value.teardown).toMatchObject({ status: 'failed',
        code: 'teardown_timeout' });
      expect((await cdrsOf('cu1', 'plain.test.local;2;silent')).map((cdr) =>
        cdr['disposition'])).toEqual(['killed']);
      // A raised credit limit of the reseller: its subtree's live calls are asked to re-auth.
      await startOn(peer, 'plain.test.local;3;raised');
      const raised = await api.call({ method: 'PATCH', url: '/v1/accounts/rs',
        json: { credit_limit: '150.00' } });
      expect(raised.status, raised.text).toBe(200);
      const asked = await requestOf(peer, 258, 'plain.test.local;3;raised');
      expect(unsigned32Of(findAvp(asked.avps, 'Re-Auth-Request-Type')!)).toBe(0);
      answer(peer, asked, 2001);
    } finally {
      peer.close();
    }
  }, 20_000);
});

describe('the watchdog (RFC 3539, RFC 6733 5.5)', () => {
  it('Tollgate sends a DWR to a peer idle for Tw and closes it when the DWR goes unanswered',
    async () => {
      const harness = await openDiameterHarness({ limits: { ...diameterLimits.peer,
        watchdogIntervalMs: 300, watchdogJitterMs: 0 } });
      const watchdogs = (peer: TestDiameterClient) =>
        peer.requests.filter((request) => request.commandCode === 280);
      async function nth(peer: TestDiameterClient, count: number): Promise<DiameterMessage> {
        const deadline = Date.now() + 3_000;
        while (watchdogs(peer).length < count) {
          if (Date.now() > deadline) throw new Error(`no DWR number ${count}`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        return watchdogs(peer)[count - 1]!;
      }
      try {
        const peer = await TestDiameterClient.open(harness.server.port);
        await peer.capabilitiesExchange('quiet.test.local');
        const openedAtMs = Date.now();
        const first = await nth(peer, 1);
        expect(Date.now() - openedAtMs).toBeGreaterThanOrEqual(250);
        expect(first.flags & 0xc0).toBe(0x80);
        expect(textOf(findAvp(first.avps, 'Origin-Host')!)).toBe('ocs.test.local');
        // Answered: the peer lives, and after another Tw of silence it is probed again.
        peer.write(encodeMessage({ flags: 0, commandCode: 280, applicationId: 0,
          hopByHopId: first.hopByHopId, endToEndId: first.endToEndId },
        [avp('Result-Code', 2001), avp('Origin-Host', 'quiet.test.local'),
          avp('Origin-Realm', 'test.local')]));
        const second = await nth(peer, 2);
        expect(second.hopByHopId).not.toBe(first.hopByHopId);
        expect(harness.server.connectionCount()).toBe(1);
        // Not answered: within another Tw the connection is closed as dead.
        const closedAfterMs = await Promise.race([peer.closed.then(() => Date.now()),
          new Promise<number>((resolve) => setTimeout(() => resolve(-1), 2_000))]);
        expect(closedAfterMs).toBeGreaterThan(0);
        for (let wait = 0; wait < 50 && harness.server.connectionCount() > 0; wait += 1) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        expect(harness.server.connectionCount()).toBe(0);
        // A peer that keeps talking is never probed: CCA traffic counts as life.
        const busy = await TestDiameterClient.open(harness.server.port);
        await busy.capabilitiesExchange('busy.test.local');
        for (let round = 0; round < 8; round += 1) {
          const dwa = await busy.request(280, 0, [avp('Origin-Host', 'busy.test.local'),
            avp('Origin-Realm', 'test.local')]);
          expect(unsigned32Of(findAvp(dwa.avps, 'Result-Code')!)).toBe(2001);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(watchdogs(busy)).toHaveLength(0);
        busy.close();
      } finally {
        await harness.close();
      }
    }, 20_000);
});
