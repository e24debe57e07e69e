import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, StringCodec, type NatsConnection } from 'nats';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyWebhook, webhookHeaders } from '../../src/fraud/webhook-signature.ts';
import { openTestApi, seedWorld, type TestApi } from '../http/http-fixture.ts';

// Alerts leave Tollgate for real receivers: a local HTTP server (signed webhook, retried after
// a failure) and a NATS subscriber on the machine's NATS at 127.0.0.1:4222 (fails if it is down).
const secret = 'whsec-test-0123456789abcdef';
const natsUrl = 'nats://127.0.0.1:4222';

interface Received { headers: IncomingHttpHeaders; body: string; answered: number }

async function startReceiver(statuses: number[]) {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      const answered = statuses[received.length] ?? 200;
      received.push({ headers: request.headers, body, answered });
      response.writeHead(answered, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { received, url: `http://127.0.0.1:${port}/tollgate-alerts`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A risk list on UK mobiles that alerts on the first call, and one call from cu1. */
async function raiseAlert(api: TestApi): Promise<void> {
  const world = await seedWorld(api);
  const list = await api.call({ method: 'PUT', url: '/v1/fraud/risk-lists/uk-mobile',
    json: { name: 'UK mobile watch', prefixes: ['447'], action: 'alert' } });
  expect(list.status, list.text).toBe(200);
  const call = await api.call({ method: 'POST', url: '/v1/sessions', key: world.keys.cu1,
    json: { session_id: 'watched-1', account_id: 'cu1', caller: '100',
      callee: '447911123456', request_number: 0 } });
  expect(call.status, call.text).toBe(200);
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('fraud alert delivery', () => {
  it('signs webhook deliveries and retries after a failure, with backoff', async () => {
    const receiver = await startReceiver([503]);
    cleanups.push(receiver.close);
    const api = await openTestApi('sqlite', { fraudWebhookUrl: receiver.url,
      fraudWebhookSecret: secret, fraudWebhookBackoffMs: 5_000 });
    cleanups.push(api.close);
    await raiseAlert(api);
    const fraud = api.services.fraud!;
    await fraud.dispatcher.flush();
    // The first delivery was refused (503): nothing more until the backoff has passed.
    expect(receiver.received.map((entry) => entry.answered)).toEqual([503]);
    api.clock.advanceMs(4_999);
    await fraud.tick();
    expect(receiver.received).toHaveLength(1);
    api.clock.advanceMs(1);
    await fraud.tick();
    expect(receiver.received.map((entry) => entry.answered)).toEqual([503, 200]);
    for (const [index, entry] of receiver.received.entries()) {
      expect(entry.headers[webhookHeaders.attempt]).toBe(String(index + 1));
      expect(verifyWebhook({ secret, body: entry.body, nowMs: api.clock.nowMs(),
        toleranceMs: 60_000,
        timestampHeader: entry.headers[webhookHeaders.timestamp] as string,
        signatureHeader: entry.headers[webhookHeaders.signature] as string })).toBe(true);
      // A receiver with another secret, or a body changed in transit, rejects it.
      expect(verifyWebhook({ secret: 'another-secret', body: entry.body,
        nowMs: api.clock.nowMs(), toleranceMs: 60_000,
        timestampHeader: entry.headers[webhookHeaders.timestamp] as string,
        signatureHeader: entry.headers[webhookHeaders.signature] as string })).toBe(false);
      expect(verifyWebhook({ secret, body: entry.body.replace('cu1', 'cu2'),
        nowMs: api.clock.nowMs(), toleranceMs: 60_000,
        timestampHeader: entry.headers[webhookHeaders.timestamp] as string,
        signatureHeader: entry.headers[webhookHeaders.signature] as string })).toBe(false);
    }
    const body = JSON.parse(receiver.received[1]!.body) as Record<string, unknown>;
    expect(body).toMatchObject({ account_id: 'cu1', root_account_id: 'op',
      rule: 'destination_risk', action: 'alert', destination: '447' });
    const deliveries = await fraud.deliveries.list(String(body['id']));
    expect(deliveries).toMatchObject([{ target: 'webhook', status: 'delivered', attempts: 2 }]);
  });

  it('gives up after the last attempt and keeps the failure', async () => {
    const receiver = await startReceiver([500, 500, 500]);
    cleanups.push(receiver.close);
    const api = await openTestApi('sqlite', { fraudWebhookUrl: receiver.url,
      fraudWebhookSecret: secret, fraudWebhookBackoffMs: 1_000, fraudWebhookAttemptsMax: 3 });
    cleanups.push(api.close);
    await raiseAlert(api);
    const fraud = api.services.fraud!;
    await fraud.dispatcher.flush();
    for (const waitMs of [1_000, 2_000, 4_000]) {
      api.clock.advanceMs(waitMs);
      await fraud.tick();
    }
    expect(receiver.received).toHaveLength(3);
    const id = (JSON.parse(receiver.received[0]!.body) as { id: string }).id;
    expect(await fraud.deliveries.list(id)).toMatchObject([{ target: 'webhook',
      status: 'failed', attempts: 3, lastError: 'webhook answered 500' }]);
  });

  it('publishes alerts to NATS on the tenant\'s subject', async () => {
    const prefix = `tgtest_${randomBytes(4).toString('hex')}`;
    // Connecting is the first step: with NATS down this test fails, it never skips.
    const subscriber: NatsConnection = await connect({ servers: natsUrl, timeout: 3_000 });
    cleanups.push(() => subscriber.drain());
    const subscription = subscriber.subscribe(`${prefix}.op.fraud.alerts`, { max: 1 });
    await subscriber.flush();
    const api = await openTestApi('sqlite', { natsUrl, natsSubjectPrefix: prefix });
    cleanups.push(api.close);
    await raiseAlert(api);
    await api.services.fraud!.dispatcher.flush();
    const codec = StringCodec();
    const message = await Promise.race([
      (async () => {
        for await (const received of subscription) return received;
        throw new Error('the subscription ended without a message');
      })(),
      new Promise<never>((_resolve, reject) => setTimeout(
        () => reject(new Error('no NATS message within 5 s')), 5_000)),
    ]);
    expect(message.subject).toBe(`${prefix}.op.fraud.alerts`);
    const alert = JSON.parse(codec.decode(message.data)) as Record<string, unknown>;
    expect(alert).toMatchObject({ account_id: 'cu1', rule: 'destination_risk',
      destination: '447' });
    expect(await api.services.fraud!.deliveries.list(String(alert['id'])))
      .toMatchObject([{ target: 'nats', status: 'delivered', attempts: 1 }]);
  });

  it('starts with NATS unreachable and keeps the delivery pending for a retry', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const api = await openTestApi('sqlite', { natsUrl: 'nats://127.0.0.1:1',
      fraudWebhookTimeoutMs: 1_000 });
    cleanups.push(api.close);
    await raiseAlert(api);
    await api.services.fraud!.dispatcher.flush();
    const [alert] = await api.services.fraud!.store.listAlerts({ scopeAccountId: 'op',
      limit: 1 });
    expect(await api.services.fraud!.deliveries.list(alert!.id)).toMatchObject([
      { target: 'nats', status: 'pending', attempts: 1, lastError: expect.any(String) }]);
  });
});
