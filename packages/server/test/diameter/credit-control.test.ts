import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  childrenOf,
  findAvp,
  findAvps,
  integer32Of,
  integer64Of,
  textOf,
  unsigned32Of,
} from '../../src/diameter/avp-read.ts';
import { avp, encodeMessage, type Avp, type DiameterMessage } from
  '../../src/diameter/diameter-codec.ts';
import { systemClock } from '../../src/app/system-clock.ts';
import { startDiameter } from '../../src/diameter/diameter-service.ts';
import { TeardownRegistry } from '../../src/switches/teardown/teardown-registry.ts';
import { account, balances, money } from '../charging/charging-harness.ts';
import { deckOf, openDiameterHarness, perSecondDeck, type DiameterHarness } from
  './diameter-harness.ts';
import { ccrAvps, TestDiameterClient, type CcrSpec } from './diameter-test-client.ts';

let harness: DiameterHarness;
let client: TestDiameterClient;

const sip = (user: string) => ({ type: 2, data: `sip:${user}@127.0.0.1:5070` });
const called = 'sip:4420700000@127.0.0.1';

beforeAll(async () => {
  harness = await openDiameterHarness({ settings: { sliceSeconds: 10 } });
  harness.decks.set('d1', deckOf(perSecondDeck));
  await account(harness, { id: 'root', tier: 'super_admin' });
  await account(harness, { id: 'alice', tier: 'customer', parentId: 'root', deck: 'd1',
    topup: '1.00' });
  await account(harness, { id: 'bob', tier: 'customer', parentId: 'root', deck: 'd1',
    topup: '0.015' });
  await account(harness, { id: 'carol', tier: 'customer', parentId: 'root', deck: 'd1' });
  await harness.identify('sip_uri', 'sip:alice@127.0.0.1', 'alice');
  await harness.identify('sip_uri', 'sip:bob@127.0.0.1', 'bob');
  await harness.identify('e164', '+15550001', 'carol');
  await harness.identify('sip_uri', 'sip:free@127.0.0.1', null);
  client = await TestDiameterClient.open(harness.server.port);
  const cea = await client.capabilitiesExchange();
  expect(unsigned32Of(findAvp(cea.avps, 'Result-Code')!)).toBe(2001);
});

afterAll(async () => {
  client?.close();
  await harness?.close();
});

function ccr(spec: CcrSpec, flags = 0xc0): Promise<DiameterMessage> {
  return client.request(272, 4, ccrAvps(spec), flags);
}

function resultOf(message: DiameterMessage): number {
  return unsigned32Of(findAvp(message.avps, 'Result-Code')!);
}

function msccOf(message: DiameterMessage): Avp[] {
  return childrenOf(findAvp(message.avps, 'Multiple-Services-Credit-Control')!);
}

function grantOf(message: DiameterMessage) {
  const mscc = msccOf(message);
  const gsu = childrenOf(findAvp(mscc, 'Granted-Service-Unit')!);
  const fui = findAvp(mscc, 'Final-Unit-Indication');
  return { seconds: unsigned32Of(findAvp(gsu, 'CC-Time')!),
    validity: unsigned32Of(findAvp(mscc, 'Validity-Time')!),
    finalAction: fui === undefined ? null
      : integer32Of(findAvp(childrenOf(fui), 'Final-Unit-Action')!) };
}

describe('Diameter credit control over the charging core', () => {
  it('a call: CCR-I, CCR-U, CCR-T charge exactly the reported seconds, retransmissions none',
    async () => {
      const base = { sessionId: 'ocs;1;call', subscription: sip('alice'), called };
      const initial = await ccr({ ...base, type: 1, number: 0, requestedSeconds: 10 });
      expect(resultOf(initial)).toBe(2001);
      expect(unsigned32Of(findAvp(initial.avps, 'CC-Request-Number')!)).toBe(0);
      expect(grantOf(initial)).toEqual({ seconds: 10, validity: 10, finalAction: null });
      expect(unsigned32Of(findAvp(msccOf(initial), 'Service-Identifier')!)).toBe(1000);
      // A retransmission (T flag) of the CCR-I gets the stored answer and holds nothing more.
      const again = await ccr({ ...base, type: 1, number: 0, requestedSeconds: 10 }, 0xd0);
      expect(grantOf(again)).toEqual(grantOf(initial));
      expect((await balances(harness, 'alice')).pendingMicros).toBe(money('0.010'));
      const update = await ccr({ ...base, type: 2, number: 1, usedSeconds: 8,
        requestedSeconds: 10 });
      expect(resultOf(update)).toBe(2001);
      expect(grantOf(update).seconds).toBe(10);
      const terminate = await ccr({ ...base, type: 3, number: 2, usedSeconds: 5 });
      expect(resultOf(terminate)).toBe(2001);
      const cost = childrenOf(findAvp(terminate.avps, 'Cost-Information')!);
      const unit = childrenOf(findAvp(cost, 'Unit-Value')!);
      expect(integer64Of(findAvp(unit, 'Value-Digits')!)).toBe(13n);
      expect(integer32Of(findAvp(unit, 'Exponent')!)).toBe(-3);
      expect(unsigned32Of(findAvp(cost, 'Currency-Code')!)).toBe(840);
      const repeated = await ccr({ ...base, type: 3, number: 2, usedSeconds: 5 }, 0xd0);
      expect(resultOf(repeated)).toBe(2001);
      const after = await balances(harness, 'alice');
      expect(after.postedMicros).toBe(money('0.987'));
      expect(after.pendingMicros).toBe(0n);
    });

  it('the last grant carries FUI TERMINATE and the balance ends at zero, not below',
    async () => {
      const base = { sessionId: 'ocs;2;bob', subscription: sip('bob'), called };
      const initial = await ccr({ ...base, type: 1, number: 0, requestedSeconds: 10 });
      expect(grantOf(initial)).toEqual({ seconds: 10, validity: 10, finalAction: null });
      const update = await ccr({ ...base, type: 2, number: 1, usedSeconds: 10,
        requestedSeconds: 10 });
      expect(grantOf(update)).toEqual({ seconds: 5, validity: 5, finalAction: 0 });
      // Kamailio over-reports by a second after the cut (protocols.md 9.2).
      const terminate = await ccr({ ...base, type: 3, number: 2, usedSeconds: 6 });
      expect(resultOf(terminate)).toBe(2001);
      const after = await balances(harness, 'bob');
      expect(after.postedMicros).toBe(0n);
      expect(after.pendingMicros).toBe(0n);
    });

  it('no credit: 4012 at message and service level; the CCR-T that follows gets 2001',
    async () => {
      const base = { sessionId: 'ocs;3;bob', subscription: sip('bob'), called };
      const initial = await ccr({ ...base, type: 1, number: 0, requestedSeconds: 10 });
      expect(resultOf(initial)).toBe(4012);
      expect(unsigned32Of(findAvp(msccOf(initial), 'Result-Code')!)).toBe(4012);
      expect(findAvp(msccOf(initial), 'Granted-Service-Unit')).toBeUndefined();
      const terminate = await ccr({ ...base, type: 3, number: 1, usedSeconds: 0 });
      expect(resultOf(terminate)).toBe(2001);
    });

  it('subscribers: unknown 5030, not credit controlled 4011, E.164 from a tel user 2001',
    async () => {
      const unknown = await ccr({ sessionId: 'ocs;4;x', type: 1, number: 0,
        subscription: sip('mallory'), called, requestedSeconds: 10 });
      expect(resultOf(unknown)).toBe(5030);
      const free = await ccr({ sessionId: 'ocs;5;x', type: 1, number: 0,
        subscription: sip('free'), called, requestedSeconds: 10 });
      expect(resultOf(free)).toBe(4011);
      const carol = await ccr({ sessionId: 'ocs;6;x', type: 1, number: 0,
        subscription: { type: 0, data: '15550001' }, called, requestedSeconds: 10 });
      expect(resultOf(carol)).toBe(4012); // known, but carol has no money
      const unrated = await ccr({ sessionId: 'ocs;7;x', type: 1, number: 0,
        subscription: sip('alice'), called: 'sip:99123@127.0.0.1', requestedSeconds: 10 });
      expect(resultOf(unrated)).toBe(5031);
    });

  it('two nodes serving one session alternately agree on its running usage', async () => {
    const other = await startDiameter({ settings: { host: '127.0.0.1', port: 0,
      originHost: 'ocs2.test.local', originRealm: 'test.local', allowedPeers: [] },
    charging: harness.charging, directory: harness.identities, clock: systemClock,
    switches: { origins: harness.switches.origins, registry: new TeardownRegistry() } });
    const second = await TestDiameterClient.open(other.port);
    try {
      await second.capabilitiesExchange();
      const before = (await balances(harness, 'alice')).postedMicros;
      const base = { sessionId: 'ocs;17;nodes', subscription: sip('alice'), called };
      expect(resultOf(await ccr({ ...base, type: 1, number: 0, requestedSeconds: 10 })))
        .toBe(2001);
      const update = await second.request(272, 4, ccrAvps({ ...base, type: 2, number: 1,
        usedSeconds: 8, requestedSeconds: 10 }));
      expect(resultOf(update)).toBe(2001);
      // Back on the first node, whose own memory of the session stops at request 0.
      expect(resultOf(await ccr({ ...base, type: 3, number: 2, usedSeconds: 5 }))).toBe(2001);
      expect(before - (await balances(harness, 'alice')).postedMicros).toBe(money('0.013'));
    } finally {
      second.close();
      await other.close(1_000);
    }
  });

  it('event charging debits the requested CC-Time once and answers CC-Money', async () => {
    const spec = { sessionId: 'ocs;8;event', type: 4 as const, number: 0,
      subscription: sip('alice'), called, requestedSeconds: 30 };
    const first = await ccr(spec);
    expect(resultOf(first)).toBe(2001);
    const gsu = childrenOf(findAvp(msccOf(first), 'Granted-Service-Unit')!);
    const moneyAvp = childrenOf(findAvp(gsu, 'CC-Money')!);
    const unit = childrenOf(findAvp(moneyAvp, 'Unit-Value')!);
    expect(integer64Of(findAvp(unit, 'Value-Digits')!)).toBe(3n);
    expect(integer32Of(findAvp(unit, 'Exponent')!)).toBe(-2);
    const second = await ccr(spec, 0xd0);
    expect(resultOf(second)).toBe(2001);
    expect((await balances(harness, 'alice')).postedMicros).toBe(money('0.944'));
  });

  it('strict where money is involved: missing and contradictory AVPs name the AVP', async () => {
    const noNumber = await client.request(272, 4, ccrAvps({ sessionId: 'ocs;9;x', type: 1,
      number: 0 }).filter((out) => out.code !== 415));
    expect(resultOf(noNumber)).toBe(5005);
    const failed = childrenOf(findAvp(noNumber.avps, 'Failed-AVP')!);
    expect(failed[0]!.code).toBe(415);
    expect(textOf(findAvp(noNumber.avps, 'Session-Id')!)).toBe('ocs;9;x');
    const twice = await client.request(272, 4, [...ccrAvps({ sessionId: 'ocs;10;x', type: 1,
      number: 0 }), avp('CC-Request-Number', 1)]);
    expect(resultOf(twice)).toBe(5009);
    const unknownMandatory = await client.request(272, 4, [...ccrAvps({ sessionId: 'ocs;11;x',
      type: 1, number: 0 }), { code: 99_999, vendorId: 0, flags: 0x40,
      data: new Uint8Array(4) }]);
    expect(resultOf(unknownMandatory)).toBe(5001);
    expect(childrenOf(findAvp(unknownMandatory.avps, 'Failed-AVP')!)[0]!.code).toBe(99_999);
    const noCalled = await ccr({ sessionId: 'ocs;12;x', type: 1, number: 0,
      subscription: sip('alice'), requestedSeconds: 10 });
    expect(resultOf(noCalled)).toBe(5005);
    const unknownSession = await ccr({ sessionId: 'ocs;13;x', type: 2, number: 1,
      usedSeconds: 3 });
    expect(resultOf(unknownSession)).toBe(5002);
  });

  it('lenient like Kamailio: no Auth-Application-Id, Origin-Host twice, accounting AVPs',
    async () => {
      const avps = ccrAvps({ sessionId: 'ocs;14;k', type: 1, number: 0,
        subscription: sip('alice'), called, requestedSeconds: 10 })
        .filter((out) => out.code !== 258);
      const answer = await client.request(272, 4, [...avps,
        avp('Origin-Host', 'client.test.local'), avp('Accounting-Record-Type', 2),
        avp('Accounting-Record-Number', 0), avp('Vendor-Specific-Application-Id',
          [avp('Vendor-Id', 10415), avp('Auth-Application-Id', 4)])]);
      expect(resultOf(answer)).toBe(2001);
      const end = await ccr({ sessionId: 'ocs;14;k', type: 3, number: 1, usedSeconds: 0 });
      expect(resultOf(end)).toBe(2001);
    });

  it('base protocol: DWR/DWA, unknown command 3001, wrong application 3007, Proxy-Info copied',
    async () => {
      const dwa = await client.request(280, 0, [avp('Origin-Host', 'client.test.local'),
        avp('Origin-Realm', 'test.local')]);
      expect(resultOf(dwa)).toBe(2001);
      expect(textOf(findAvp(dwa.avps, 'Origin-Host')!)).toBe('ocs.test.local');
      const unsupported = await client.request(271, 3, [avp('Session-Id', 'acct;1'),
        avp('Origin-Host', 'client.test.local'), avp('Origin-Realm', 'test.local')]);
      expect(resultOf(unsupported)).toBe(3001);
      expect(unsupported.flags & 0x20).toBe(0x20);
      const wrongApp = await client.request(272, 5, ccrAvps({ sessionId: 'ocs;15;x', type: 1,
        number: 0 }));
      expect(resultOf(wrongApp)).toBe(3007);
      const proxied = await client.request(280, 0, [avp('Origin-Host', 'client.test.local'),
        avp('Origin-Realm', 'test.local'), avp('Proxy-Info', [avp('Proxy-Host', 'dra'),
          avp('Proxy-State', 'state-1')])]);
      const proxyInfo = findAvps(proxied.avps, 'Proxy-Info');
      expect(proxyInfo).toHaveLength(1);
      expect(textOf(findAvp(childrenOf(proxyInfo[0]!), 'Proxy-State')!)).toBe('state-1');
    });

  it('frames split byte by byte and several in one write are all answered', async () => {
    const other = await TestDiameterClient.open(harness.server.port);
    try {
      const cer = encodeMessage({ flags: 0x80, commandCode: 257, applicationId: 0,
        hopByHopId: 900, endToEndId: 900 }, [avp('Origin-Host', 'split.test.local'),
        avp('Origin-Realm', 'test.local'), avp('Auth-Application-Id', 4)]);
      const answers: number[] = [];
      other.socket.on('data', (chunk: Buffer) => answers.push(chunk.length));
      for (const byte of cer) other.write(Uint8Array.of(byte));
      const dwrs = Buffer.concat([1, 2, 3].map((id) => encodeMessage({ flags: 0x80,
        commandCode: 280, applicationId: 0, hopByHopId: id, endToEndId: id },
      [avp('Origin-Host', 'split.test.local'), avp('Origin-Realm', 'test.local')])));
      other.write(dwrs);
      const deadline = Date.now() + 5_000;
      while (answers.length < 1 || sumOf(answers) < 4 * 20 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // The CEA and three DWAs, however TCP happens to cut them.
      const dwa = await other.request(280, 0, [avp('Origin-Host', 'split.test.local'),
        avp('Origin-Realm', 'test.local')]);
      expect(resultOf(dwa)).toBe(2001);
    } finally {
      other.close();
    }
  });

  it('DPR is answered with DPA and the connection closes; an unknown peer is refused 3010',
    async () => {
      const leaving = await TestDiameterClient.open(harness.server.port);
      await leaving.capabilitiesExchange('leaving.test.local');
      const dpa = await leaving.request(282, 0, [avp('Origin-Host', 'leaving.test.local'),
        avp('Origin-Realm', 'test.local'), avp('Disconnect-Cause', 0)]);
      expect(resultOf(dpa)).toBe(2001);
      await leaving.closed;
      const strict = await openDiameterHarness({ allowedPeers: ['kamailio.test.local'] });
      try {
        const stranger = await TestDiameterClient.open(strict.server.port);
        const cea = await stranger.capabilitiesExchange('stranger.test.local');
        expect(resultOf(cea)).toBe(3010);
        await stranger.closed;
        const known = await TestDiameterClient.open(strict.server.port);
        expect(resultOf(await known.capabilitiesExchange('kamailio.test.local'))).toBe(2001);
        known.close();
      } finally {
        await strict.close();
      }
    });

  it('RSU CC-Time below the slice is the grant; zero or absurd units are 5004, nothing held',
    async () => {
      await account(harness, { id: 'dave', tier: 'customer', parentId: 'root', deck: 'd1',
        topup: '1.00' });
      await harness.identify('sip_uri', 'sip:dave@127.0.0.1', 'dave');
      const base = { sessionId: 'ocs;18;rsu', subscription: sip('dave'), called };
      for (const requestedSeconds of [0, 4 * 3600 + 1]) {
        const refused = await ccr({ ...base, type: 1, number: 0, requestedSeconds });
        expect(resultOf(refused)).toBe(5004);
        const failedRsu = childrenOf(findAvp(refused.avps, 'Failed-AVP')!);
        expect(unsigned32Of(findAvp(childrenOf(failedRsu[0]!), 'CC-Time')!))
          .toBe(requestedSeconds);
      }
      expect((await balances(harness, 'dave')).pendingMicros).toBe(0n);
      const initial = await ccr({ ...base, type: 1, number: 0, requestedSeconds: 4 });
      expect(grantOf(initial)).toEqual({ seconds: 4, validity: 4, finalAction: null });
      expect((await balances(harness, 'dave')).pendingMicros).toBe(money('0.004'));
      const zero = await ccr({ ...base, type: 2, number: 1, usedSeconds: 4,
        requestedSeconds: 0 });
      expect(resultOf(zero)).toBe(5004);
      expect((await balances(harness, 'dave')).pendingMicros).toBe(money('0.004'));
      const update = await ccr({ ...base, type: 2, number: 1, usedSeconds: 4,
        requestedSeconds: 3 });
      expect(grantOf(update)).toEqual({ seconds: 3, validity: 3, finalAction: null });
      // No RSU at all: the slice (10 s here).
      const noRsu = await ccr({ ...base, type: 2, number: 2, usedSeconds: 3 });
      expect(grantOf(noRsu).seconds).toBe(10);
      expect(resultOf(await ccr({ ...base, type: 3, number: 3, usedSeconds: 2 }))).toBe(2001);
      const after = await balances(harness, 'dave');
      expect(after.postedMicros).toBe(money('0.991'));
      expect(after.pendingMicros).toBe(0n);
    });

  it('a CCR before CER is refused with 3010 and the connection closed', async () => {
    const stranger = await TestDiameterClient.open(harness.server.port);
    const answer = await client.request(280, 0, [avp('Origin-Host', 'client.test.local'),
      avp('Origin-Realm', 'test.local')]);
    expect(resultOf(answer)).toBe(2001);
    const refused = await stranger.request(272, 4, ccrAvps({ sessionId: 'ocs;16;x', type: 1,
      number: 0 }));
    expect(resultOf(refused)).toBe(3010);
    await stranger.closed;
  });
});

function sumOf(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
