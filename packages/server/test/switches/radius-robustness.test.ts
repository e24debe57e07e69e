import { createSocket } from 'node:dgram';
import radius from 'radius';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRadiusDisconnect } from '../../src/switches/radius/radius-disconnect.ts';
import { openTestApi, seedWorld, type TestApi } from '../http/http-fixture.ts';
import { radiusSecret, sendRaw, startRadiusRig, type RadiusRig } from './radius-harness.ts';

let api: TestApi;
let rig: RadiusRig;

beforeAll(async () => {
  api = await openTestApi();
  await seedWorld(api);
  rig = await startRadiusRig(api);
});
afterAll(async () => {
  await rig.close();
  await api.close();
});

const balanceOf = async (id: string) =>
  String((await api.call({ method: 'GET', url: `/v1/accounts/${id}` })).body['balance']);
// Packets built by an independent implementation (the `radius` npm package).
const accessRequest = (callId: string, identifier: number) => radius.encode({
  code: 'Access-Request', secret: radiusSecret, identifier, add_message_authenticator: true,
  attributes: [['User-Name', 'cu1'], ['Calling-Station-Id', '15551230000'],
    ['Called-Station-Id', '442079460000'], ['Acct-Session-Id', callId]] });
const accountingRequest = (callId: string, status: string, seconds: number, identifier: number) =>
  radius.encode({ code: 'Accounting-Request', secret: radiusSecret, identifier, attributes: [
    ['User-Name', 'cu1'], ['Acct-Status-Type', status], ['Acct-Session-Id', callId],
    ['Acct-Session-Time', seconds]] });

describe('RADIUS: retransmissions, malformed packets, Disconnect-Request', () => {
  it('answers a retransmission with the same bytes and charges once', async () => {
    const before = await balanceOf('cu1');
    const request = accessRequest('dup-1', 7);
    const [first, second] = await sendRaw(rig.server.authPort, [request, request]);
    expect(first).toBeDefined();
    expect(second?.equals(first!)).toBe(true);
    expect(radius.verify_response({ request, response: first!, secret: radiusSecret }))
      .toBe(true);
    expect(radius.decode({ packet: first!, secret: radiusSecret }).attributes)
      .toMatchObject({ 'Session-Timeout': 60 });
    const stop = accountingRequest('dup-1', 'Stop', 47, 8);
    const replies = await sendRaw(rig.server.acctPort, [stop, stop, stop]);
    expect(replies).toHaveLength(3);
    expect(replies.every((reply) => reply.equals(replies[0]!))).toBe(true);
    expect((Number(before) - Number(await balanceOf('cu1'))).toFixed(2)).toBe('0.21');
  });

  it('drops malformed packets with a logged code, never crashes, never charges', async () => {
    const before = await balanceOf('cu1');
    const valid = accountingRequest('nobody', 'Stop', 30, 9);
    const truncated = valid.subarray(0, 15);
    const lengthPastEnd = Buffer.from(valid);
    lengthPastEnd.writeUInt16BE(valid.length + 10, 2);
    const zeroAttribute = Buffer.from(valid);
    zeroAttribute[21] = 0;
    const random: Buffer[] = [];
    let seed = 42;
    for (let index = 0; index < 200; index += 1) {
      const length = 20 + (index % 60);
      const bytes = Buffer.alloc(length);
      for (let at = 0; at < length; at += 1) {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        bytes[at] = seed % 256;
      }
      bytes[0] = index % 2 === 0 ? 1 : 4;
      bytes.writeUInt16BE(length, 2);
      random.push(bytes);
    }
    const replies = await sendRaw(rig.server.acctPort,
      [truncated, lengthPastEnd, zeroAttribute, Buffer.alloc(0), ...random], 500);
    expect(replies).toEqual([]);
    const codes = new Set(rig.log.entries.map((entry) => entry.code));
    for (const code of ['packet_too_short', 'bad_length_field', 'bad_attribute_length']) {
      expect(codes).toContain(code);
    }
    expect(await balanceOf('cu1')).toBe(before);
    // Still serving: an unknown session's Stop is acknowledged and logged, nothing charged.
    expect(codes.has('session_not_found')).toBe(false);
    expect(await sendRaw(rig.server.acctPort, [valid])).toHaveLength(1);
    expect(rig.log.entries.some((entry) => entry.code === 'session_not_found')).toBe(true);
    expect(await balanceOf('cu1')).toBe(before);
  });

  it('kills a call with a Disconnect-Request the NAS acknowledges', async () => {
    const nas = createSocket('udp4');
    const received: Array<Record<string, unknown>> = [];
    nas.on('message', (bytes, remote) => {
      // The NAS checks the request with the shared secret (decode throws on a mismatch).
      const packet = radius.decode({ packet: bytes, secret: radiusSecret });
      received.push({ code: packet.code, ...packet.attributes });
      nas.send(radius.encode_response({ packet, code: 'Disconnect-ACK',
        secret: radiusSecret }), remote.port, remote.address);
    });
    await new Promise<void>((resolve) => nas.bind(0, '127.0.0.1', resolve));
    const clients = new Map([['127.0.0.1', { address: '127.0.0.1',
      secret: Buffer.from(radiusSecret) }]]);
    const driver = await startRadiusDisconnect({ clients, port: nas.address().port });
    api.services.switches.registry.register('radius', driver);
    try {
      expect(await sendRaw(rig.server.authPort, [accessRequest('kill-1', 11)])).toHaveLength(1);
      const killed = await api.call({ method: 'POST',
        url: '/v1/sessions/rad:127.0.0.1:kill-1/kill' });
      expect(killed.status).toBe(200);
      expect(killed.body['teardown']).toBe('ended');
      expect(received).toEqual([expect.objectContaining({ code: 'Disconnect-Request',
        'User-Name': 'cu1', 'Acct-Session-Id': 'kill-1' })]);
      // The NAS's Stop after the kill is acknowledged and changes nothing.
      const balance = await balanceOf('cu1');
      expect(await sendRaw(rig.server.acctPort, [accountingRequest('kill-1', 'Stop', 9, 12)]))
        .toHaveLength(1);
      expect(await balanceOf('cu1')).toBe(balance);
    } finally {
      api.services.switches.registry.unregister('radius', driver);
      await driver.close();
      nas.close();
    }
  });
});
