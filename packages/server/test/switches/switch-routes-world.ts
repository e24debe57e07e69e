import { expect } from 'vitest';
import type { TestApi } from '../http/http-fixture.ts';

/**
 * Three carriers of the operator `op` for calls to 44..., each billed per second so that
 * least cost orders them cheap, mid, dear (0.060, 0.072, 0.084 a minute: 1000, 1200 and 1400
 * micros a second; the root sells the call on for 0.12, so all three make money).
 * `gatewayOf` gives each its dial string.
 */
export const switchCarriers = [
  { id: 'cheap', rate: '0.060', microsPerSecond: 1000 },
  { id: 'mid', rate: '0.072', microsPerSecond: 1200 },
  { id: 'dear', rate: '0.084', microsPerSecond: 1400 },
] as const;

/** A decimal money string of the API in micros (test arithmetic only). */
export const microsOf = (money: unknown) => Math.round(Number(money) * 1e6);

export async function createSwitchCarriers(api: TestApi,
  gatewayOf: (carrierId: string) => string): Promise<void> {
  for (const carrier of switchCarriers) {
    const csv = ['prefix,destination,rate,connect_fee,initial_increment_s,increment_s',
      `44,United Kingdom,${carrier.rate},0,1,1`].join('\n');
    const upload = await api.call({ method: 'POST', csv,
      url: `/v1/rate-decks?name=carrier-${carrier.id}&currency=USD&owner_id=op` });
    expect(upload.status, upload.text).toBe(201);
    const created = await api.call({ method: 'POST', url: '/v1/carriers',
      json: { id: carrier.id, root_account_id: 'op', name: `Carrier ${carrier.id}`,
        rate_deck_id: upload.body['id'], gateway: gatewayOf(carrier.id) } });
    expect(created.status, created.text).toBe(200);
  }
}

/** What the carrier's ledger account accrued (what the operator owes it), as a string. */
export async function carrierAccrued(api: TestApi, carrierId: string): Promise<string> {
  const carrier = await api.call({ method: 'GET', url: `/v1/carriers/${carrierId}` });
  const account = await api.call({ method: 'GET',
    url: `/v1/accounts/${String(carrier.body['account_id'])}` });
  const revenue = account.body['revenue'] as Array<{ balance: string }> | undefined;
  return revenue?.[0]?.balance ?? '0.00';
}

export async function carrierQuality(api: TestApi, carrierId: string) {
  const response = await api.call({ method: 'GET', url: `/v1/carriers/${carrierId}/quality` });
  expect(response.status, response.text).toBe(200);
  return response.body;
}

export async function cdrOf(api: TestApi, sessionId: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const cdrs = (await api.call({ method: 'GET', url: '/v1/cdrs?account_id=op&limit=1000' }))
      .body['cdrs'] as Array<Record<string, unknown>>;
    const cdr = cdrs.find((row) => row['session_id'] === sessionId);
    if (cdr !== undefined) return cdr;
    if (Date.now() > deadline) throw new Error(`no CDR for ${sessionId}`);
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
}

export async function ledgerFindings(api: TestApi): Promise<number | false> {
  const report = await api.services.ledger.verifyLedger();
  return report.ok && report.value.findingCount;
}
