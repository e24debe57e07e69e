import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestApi,
  seedWorld,
  type ApiRequest,
  type ApiResponse,
  type StoreKind,
  type TestApi,
  type World,
} from '../http/http-fixture.ts';
import { auditActions } from '../../src/audit/audit-entry.ts';
import { auditRows, tryToChangeAuditRows } from './audit-raw-sql.ts';

/**
 * The audit trail through the API, on one store (the same scenarios on SQLite and PostgreSQL):
 * every audited route leaves exactly one entry with its actor, subject, before and after; a
 * refused request leaves none; a key sees its own subtree's entries only; no secret is ever
 * stored; the table refuses UPDATE and DELETE.
 *
 * World (http-fixture.ts): op > ad > rs > cu1, cu2; ad > other. Keys of rs, cu1, cu2, other.
 */
export function describeAuditApi(kind: StoreKind): void {
  const context = { kind } as Context;
  describe(`audit trail on ${kind}`, () => {
    beforeAll(async () => {
      context.api = await openTestApi(kind);
      context.world = await seedWorld(context.api);
      context.rsKeyId = await keyIdOf(context.api, context.world.keys.rs);
    });
    afterAll(async () => context.api?.close());
    describeAccountChanges(context);
    describeKeysAndUploads(context);
    describeRoutingAndFraud(context);
    describeBilling(context);
    describeScope(context);
    describeIntegrity(context);
  });
}

interface Context {
  readonly kind: StoreKind;
  api: TestApi;
  world: World;
  rsKeyId: string;
}

interface Entry {
  id: string;
  action: string;
  actor: { kind: string; key_id: string | null; account_id: string | null };
  subject: { kind: string; id: string };
  account_id: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  request_id: string;
}

/** Pages of one listing read before giving up: far more than any scenario writes. */
const listingPagesMax = 20;
const pageSize = 500;

async function keyIdOf(api: TestApi, key: string): Promise<string> {
  return String((await api.call({ method: 'GET', url: '/v1/whoami', key })).body['key_id']);
}

/** Every entry of a subtree after `afterId`, as the key sees them, following next_after. */
async function listAll(api: TestApi, options: { accountId?: string; key?: string;
  afterId?: string }): Promise<Entry[]> {
  const entries: Entry[] = [];
  let after = options.afterId;
  for (let page = 0; page < listingPagesMax; page += 1) {
    const query = new URLSearchParams({ limit: String(pageSize),
      ...(options.accountId === undefined ? {} : { account_id: options.accountId }),
      ...(after === undefined ? {} : { after }) });
    const response = await api.call({ method: 'GET', url: `/v1/audit?${query.toString()}`,
      ...(options.key === undefined ? {} : { key: options.key }) });
    expect(response.status, response.text).toBe(200);
    entries.push(...response.body['entries'] as Entry[]);
    const next = response.body['next_after'];
    if (next === null) return entries;
    after = String(next);
  }
  throw new Error(`more than ${listingPagesMax} pages of audit entries`);
}

/** The entries the requests leave in the whole tree (op's subtree, as the operator sees it). */
async function changesOf(api: TestApi, requests: readonly ApiRequest[]):
  Promise<{ responses: ApiResponse[]; entries: Entry[] }> {
  const last = (await listAll(api, { accountId: 'op' })).at(-1)?.id;
  const responses: ApiResponse[] = [];
  for (const request of requests) responses.push(await api.call(request));
  const entries = await listAll(api, { accountId: 'op', ...(last === undefined ? {}
    : { afterId: last }) });
  return { responses, entries };
}

/** One request that must succeed with `status` and leave exactly one entry. */
async function oneChange(api: TestApi, request: ApiRequest, status: number): Promise<Entry> {
  const { responses: [response], entries } = await changesOf(api, [request]);
  expect(response?.status, response?.text).toBe(status);
  expect(entries, JSON.stringify(entries)).toHaveLength(1);
  return entries[0]!;
}

function describeAccountChanges(context: Context): void {
  it('records account creation, changes, suspension, activation and top-ups', async () => {
    const { api, world, rsKeyId } = context;
    const key = world.keys.rs;
    const byRs = { kind: 'key', key_id: rsKeyId, account_id: 'rs' };
    const created = await oneChange(api, { method: 'POST', url: '/v1/accounts', key, json: {
      id: 'cu3', parent_id: 'rs', tier: 'customer', currency: 'USD', mode: 'prepaid',
      rate_deck_id: world.decks.retail, name: 'Three' } }, 201);
    // The reseller's key chose `cu3` in its own account's namespace.
    expect(created).toMatchObject({ action: 'account_created', actor: byRs,
      account_id: 'rs~cu3', subject: { kind: 'account', id: 'rs~cu3' }, before: null,
      after: { id: 'rs~cu3', parent_id: 'rs', name: 'Three' } });
    expect(created.request_id).not.toBe('');
    const patched = await oneChange(api, { method: 'PATCH', url: '/v1/accounts/rs~cu3', key,
      json: { name: 'Trois', concurrent_calls_max: 4 } }, 200);
    expect(patched).toMatchObject({ action: 'account_updated', actor: byRs,
      before: { name: 'Three', concurrent_calls_max: null },
      after: { name: 'Trois', concurrent_calls_max: 4 } });
    const suspended = await oneChange(api, { method: 'POST',
      url: '/v1/accounts/rs~cu3/suspend', key }, 200);
    expect(suspended).toMatchObject({ action: 'account_suspended',
      before: { state: 'active' }, after: { state: 'suspended' } });
    const activated = await oneChange(api, { method: 'POST',
      url: '/v1/accounts/rs~cu3/activate', key }, 200);
    expect(activated).toMatchObject({ action: 'account_activated',
      before: { state: 'suspended' }, after: { state: 'active' } });
    const topup = { method: 'POST', url: '/v1/accounts/rs~cu3/topups', key,
      json: { amount: '5.00', reference: `audit-${context.kind}` } } as const;
    const posted = await oneChange(api, topup, 201);
    expect(posted).toMatchObject({ action: 'topup_posted', account_id: 'rs~cu3', before: null,
      subject: { kind: 'transfer' }, after: { amount: '5.00', balance: '5.00' } });
    // A replayed top-up posts nothing, so it records nothing.
    const replay = await changesOf(api, [topup]);
    expect([replay.responses[0]?.status, replay.entries]).toEqual([200, []]);
  });

  it('records bundles once (a retry under the same id changes nothing) and kills', async () => {
    const { api, world } = context;
    const bundle = { method: 'POST', url: '/v1/accounts/cu1/bundles', key: world.keys.rs,
      json: { bundle_id: '2026-12', prefixes: ['44'], seconds: 600 } } as const;
    expect(await oneChange(api, bundle, 201)).toMatchObject({ action: 'bundle_created',
      subject: { kind: 'bundle', id: '2026-12' }, account_id: 'cu1',
      after: { seconds_remaining: 600 } });
    expect((await changesOf(api, [bundle])).entries).toEqual([]);
    const sessionId = `kill-${context.kind}`;
    const started = await api.call({ method: 'POST', url: '/v1/sessions', key: world.keys.cu1,
      json: { session_id: sessionId, account_id: 'cu1', caller: '1', callee: '4420',
        request_number: 0 } });
    expect(started.body['status'], started.text).toBe('granted');
    expect((await changesOf(api, [])).entries, 'authorize is not audited').toEqual([]);
    const killed = await oneChange(api, { method: 'POST', key: world.keys.cu1,
      url: `/v1/sessions/${sessionId}/kill?reason=fraud_desk` }, 200);
    // The operator names a tenant's session in full; its own key names it bare.
    expect(killed).toMatchObject({ action: 'session_killed', account_id: 'cu1',
      subject: { kind: 'session', id: `cu1~${sessionId}` },
      after: { status: 'killed', reason: 'fraud_desk' } });
    const own = await listAll(api, { key: world.keys.cu1 });
    expect(own.find((entry) => entry.id === killed.id)?.subject.id).toBe(sessionId);
  });
}

function describeKeysAndUploads(context: Context): void {
  it('records keys by id and label, never the key or its hash', async () => {
    const { api, world } = context;
    const made = await changesOf(api, [{ method: 'POST', url: '/v1/accounts/cu2/api-keys',
      key: world.keys.rs, json: { label: 'pbx-2' } }]);
    const created = made.responses[0]!;
    const secret = String(created.body['key']);
    expect(secret).toMatch(/^tg_/);
    expect(made.entries).toMatchObject([{ action: 'api_key_created', account_id: 'cu2',
      subject: { kind: 'api_key', id: created.body['id'] }, before: null,
      after: { id: created.body['id'], label: 'pbx-2', account_id: 'cu2' } }]);
    const revoked = await oneChange(api, { method: 'DELETE', key: world.keys.rs,
      url: `/v1/accounts/cu2/api-keys/${String(created.body['id'])}` }, 204);
    expect(revoked).toMatchObject({ action: 'api_key_revoked',
      before: { label: 'pbx-2', revoked_at: null }, after: { label: 'pbx-2' } });
    expect(revoked.after?.['revoked_at']).toEqual(expect.any(String));
    const { createHash } = await import('node:crypto');
    const hash = createHash('sha256').update(secret, 'utf8').digest('hex');
    const listing = await api.call({ method: 'GET', url: '/v1/audit?account_id=op&limit=500' });
    expect(listing.text).toContain(String(created.body['id']));
    // Every stored row, those of no tree included, straight from the table.
    const stored = JSON.stringify(await auditRows(api));
    for (const text of [listing.text, stored]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(3));
      expect(text).not.toContain(hash);
    }
  });

  it('records deck and time-band uploads for their owner', async () => {
    const { api, world } = context;
    const bands = await oneChange(api, { method: 'POST', key: world.keys.rs,
      url: '/v1/time-bands?name=peak', csv: 'band,days,start,end\npeak,mon-fri,08:00,18:00\n' },
    201);
    expect(bands).toMatchObject({ action: 'time_bands_uploaded', account_id: 'rs',
      subject: { kind: 'time_bands' }, before: null, after: { name: 'peak', owner_id: 'rs' } });
    const deck = await oneChange(api, { method: 'POST', key: world.keys.rs,
      url: '/v1/rate-decks?name=promo&currency=USD&owner_id=cu2',
      csv: 'prefix,destination,rate\n44,UK,0.01\n' }, 201);
    expect(deck).toMatchObject({ action: 'deck_uploaded', account_id: 'cu2',
      subject: { kind: 'rate_deck', id: deck.after?.['id'] }, after: { name: 'promo', rows: 1 } });
  });
}

function describeRoutingAndFraud(context: Context): void {
  it('records carriers, route rules and routing policies', async () => {
    const { api, world } = context;
    const carrier = await oneChange(api, { method: 'POST', url: '/v1/carriers', json: {
      id: 'car-a', root_account_id: 'op', name: 'A', rate_deck_id: world.decks.carrier,
      gateway: 'sofia/gateway/a/' } }, 200);
    expect(carrier).toMatchObject({ action: 'carrier_created', account_id: 'op',
      actor: { kind: 'operator', key_id: null, account_id: null },
      subject: { kind: 'carrier', id: 'car-a' }, before: null, after: { weight: 1 } });
    expect(await oneChange(api, { method: 'PATCH', url: '/v1/carriers/car-a',
      json: { weight: 7 } }, 200)).toMatchObject({ action: 'carrier_updated',
      before: { weight: 1 }, after: { weight: 7 } });
    const rule = { account_id: 'cu1', prefix: '44', carrier_id: 'car-a', action: 'block' };
    expect(await oneChange(api, { method: 'POST', url: '/v1/route-rules', json: rule }, 200))
      .toMatchObject({ action: 'route_rule_put', account_id: 'cu1', after: rule,
        subject: { kind: 'route_rule', id: 'cu1:44:car-a' } });
    expect(await oneChange(api, { method: 'DELETE',
      url: '/v1/route-rules?account_id=cu1&prefix=44&carrier_id=car-a' }, 204))
      .toMatchObject({ action: 'route_rule_deleted', after: null,
        before: { account_id: 'cu1', prefix: '44', carrier_id: 'car-a' } });
    expect(await oneChange(api, { method: 'PUT', url: '/v1/accounts/rs/routing-policy',
      key: world.keys.rs, json: { strategy: 'least_cost', margin_policy: 'protect' } }, 200))
      .toMatchObject({ action: 'routing_policy_put', account_id: 'rs',
        after: { strategy: 'least_cost', margin_policy: 'protect' } });
  });

  it('records fraud configs, risk lists and released measures', async () => {
    const { api, world } = context;
    const key = world.keys.rs;
    const put = await oneChange(api, { method: 'PUT', url: '/v1/fraud/configs/cu2', key,
      json: { risk_lists: false } }, 200);
    expect(put).toMatchObject({ action: 'fraud_config_put', account_id: 'cu2',
      before: { own: null }, after: { own: { risk_lists: false } } });
    expect(await oneChange(api, { method: 'DELETE', url: '/v1/fraud/configs/cu2', key }, 200))
      .toMatchObject({ action: 'fraud_config_deleted', before: { own: { risk_lists: false } },
        after: { own: null } });
    const list = await oneChange(api, { method: 'PUT', url: '/v1/fraud/risk-lists/satellite',
      key, json: { name: 'satellite', prefixes: ['4930'], action: 'block_destination',
        calls_threshold: 1 } }, 200);
    expect(list).toMatchObject({ action: 'risk_list_put', account_id: 'rs', before: null,
      subject: { kind: 'risk_list', id: 'rs~satellite' }, after: { prefixes: ['4930'] } });
    const measure = await measureOn(api, 'cu2');
    const released = await oneChange(api, { method: 'POST', key,
      url: `/v1/fraud/measures/${measure}/release` }, 200);
    expect(released).toMatchObject({ action: 'fraud_measure_released', account_id: 'cu2',
      subject: { kind: 'fraud_measure', id: measure }, before: { released_at: null },
      after: { released_by: 'manual' } });
    expect(await oneChange(api, { method: 'DELETE', url: '/v1/fraud/risk-lists/satellite',
      key }, 204)).toMatchObject({ action: 'risk_list_deleted', after: null,
      before: { name: 'satellite' } });
  });

  it('records subscriber identities', async () => {
    const { api, world } = context;
    const url = '/v1/accounts/cu1/subscriber-identities';
    expect(await oneChange(api, { method: 'PUT', url, key: world.keys.rs,
      json: { kind: 'e164', identity: '+447700900123' } }, 200)).toMatchObject({
      action: 'subscriber_identity_put', account_id: 'cu1', before: null,
      subject: { kind: 'subscriber_identity', id: 'e164:447700900123' },
      after: { identity: '447700900123', charging: 'online' } });
    expect(await oneChange(api, { method: 'DELETE', key: world.keys.rs,
      url: `${url}/e164/447700900123` }, 204)).toMatchObject({
      action: 'subscriber_identity_deleted', after: null,
      before: { identity: '447700900123', account_id: 'cu1' } });
  });

  it('records exchange rates as the operator\'s own change (no tree)', async () => {
    const { api } = context;
    const set = await api.call({ method: 'POST', url: '/v1/exchange-rates',
      json: { from: 'EUR', to: 'USD', rate: '1.0845' } });
    expect(set.status).toBe(201);
    const rows = await auditRows(api) as Array<{ action: string; account_id: unknown;
      scope_path: string; after_json?: string }>;
    expect(rows).toContainEqual(expect.objectContaining({ action: 'exchange_rate_set',
      account_id: null, scope_path: '/' }));
  });
}

function describeBilling(context: Context): void {
  it('records tax profiles, billing settings, closes, credit notes and payments', async () => {
    const { api, world } = context;
    const key = world.keys.rs;
    expect(await oneChange(api, { method: 'PUT', url: '/v1/accounts/rs/tax-profiles/vat', key,
      json: { name: 'VAT', treatment: 'standard', prices_include_tax: true,
        rates: [{ name: 'VAT', percent: '20' }], note: '' } }, 200)).toMatchObject({
      action: 'tax_profile_put', account_id: 'rs', before: null,
      after: { id: 'vat', rates: [{ name: 'VAT', percent: '20' }] } });
    expect(await oneChange(api, { method: 'PUT', url: '/v1/accounts/cu2/billing-settings', key,
      json: { cycle: { kind: 'monthly', anchor_day: 1 }, payment_terms_days: 10,
        tax_profile_id: 'vat', invoice_prefix: null, legal_name: null, address: null,
        tax_id: null } }, 200)).toMatchObject({ action: 'billing_settings_put',
      account_id: 'cu2', after: { tax_profile_id: 'vat', payment_terms_days: 10 } });
    await api.call({ method: 'POST', url: '/v1/sessions', json: { session_id: 'bill-1',
      account_id: 'cu2', caller: '1', callee: '442079460000', request_number: 0 } });
    api.clock.advanceMs(30_000);
    await api.call({ method: 'POST', url: '/v1/sessions/bill-1/terminate',
      json: { request_number: 1, used_seconds: 30 } });
    api.clock.setMs(Math.max(api.clock.nowMs(), Date.parse('2026-12-01T00:10:00Z')));
    const closed = await oneChange(api, { method: 'POST', key, json: { period: '2026-11-01' },
      url: '/v1/accounts/cu2/billing-periods/close' }, 201);
    expect(closed).toMatchObject({ action: 'period_closed', account_id: 'cu2',
      subject: { kind: 'invoice' }, before: null });
    expect(await oneChange(api, { method: 'POST', key,
      url: `/v1/invoices/${closed.subject.id}/credit-note` }, 201)).toMatchObject({
      action: 'invoice_credited', before: { status: 'issued' }, after: { status: 'void' } });
    expect(await oneChange(api, { method: 'POST', url: '/v1/accounts/cu2/payments', key,
      json: { method: 'cash', reference: 'till-1', amount: '1.00', currency: 'USD' } }, 201))
      .toMatchObject({ action: 'payment_recorded', account_id: 'cu2',
        after: { amount: '1.00', credit: '1.00', allocations: [] } });
  });
}

/** A call to the risk list's prefix takes a block on the account; its measure id. */
async function measureOn(api: TestApi, accountId: string): Promise<string> {
  await api.call({ method: 'POST', url: '/v1/sessions', json: { session_id: `sat-${accountId}`,
    account_id: accountId, caller: '1', callee: '4930123', request_number: 0 } });
  const listed = await api.call({ method: 'GET',
    url: `/v1/fraud/measures?account_id=${accountId}` });
  const [measure] = listed.body['measures'] as Array<{ id: string }>;
  expect(measure, listed.text).toBeDefined();
  return measure!.id;
}

function describeScope(context: Context): void {
  it('lists a subtree to its keys only, and hides the keys above them', async () => {
    const { api, world } = context;
    const ofCu1 = await listAll(api, { key: world.keys.cu1 });
    expect(ofCu1.length).toBeGreaterThan(0);
    expect(new Set(ofCu1.map((entry) => entry.account_id))).toEqual(new Set(['cu1']));
    // cu1's entries were made by the operator, rs's key and its own: only its own is named.
    expect(new Set(ofCu1.map((entry) => entry.actor.kind))).toEqual(new Set(['upstream',
      'key']));
    expect(ofCu1.filter((entry) => entry.actor.kind === 'key')
      .every((entry) => entry.actor.account_id === 'cu1')).toBe(true);
    const ofRs = await listAll(api, { key: world.keys.rs });
    const accounts = new Set(ofRs.map((entry) => entry.account_id));
    expect([...accounts].sort()).toEqual(['cu1', 'cu2', 'rs', 'rs~cu3']);
    expect(ofRs.some((entry) => entry.actor.key_id === context.rsKeyId)).toBe(true);
    const other = await listAll(api, { key: world.keys.other });
    expect(new Set(other.map((entry) => entry.account_id))).toEqual(new Set(['other']));
  });

  it('answers another tree\'s account like a missing one, and asks the operator for one',
    async () => {
      const { api, world } = context;
      const foreign = await api.call({ method: 'GET', url: '/v1/audit?account_id=cu1',
        key: world.keys.other });
      const ghost = await api.call({ method: 'GET', url: '/v1/audit?account_id=nobody',
        key: world.keys.other });
      expect([foreign.status, foreign.body]).toEqual([404,
        { code: 'account_not_found', message: 'no account cu1' }]);
      expect(ghost.text.replace('nobody', 'cu1')).toBe(foreign.text);
      const above = await api.call({ method: 'GET', url: '/v1/audit?account_id=rs',
        key: world.keys.cu1 });
      expect(above.text).toBe(foreign.text.replace('cu1', 'rs'));
      const unnamed = await api.call({ method: 'GET', url: '/v1/audit' });
      expect([unnamed.status, unnamed.body['code']]).toEqual([400, 'scope_required']);
      const badAction = await api.call({ method: 'GET', url: '/v1/audit?action=dropped' });
      expect([badAction.status, badAction.body['code']]).toEqual([400, 'validation_failed']);
    });

  it('pages by next_after and filters by action', async () => {
    const { api } = context;
    const all = await listAll(api, { accountId: 'op' });
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < all.length; page += 1) {
      const query: string = after === null ? '' : `&after=${after}`;
      const response = await api.call({ method: 'GET',
        url: `/v1/audit?account_id=op&limit=7${query}` });
      seen.push(...(response.body['entries'] as Entry[]).map((entry) => entry.id));
      after = response.body['next_after'] as string | null;
      if (after === null) break;
    }
    expect(seen).toEqual(all.map((entry) => entry.id));
    const created = await api.call({ method: 'GET',
      url: '/v1/audit?account_id=rs&action=account_created' });
    const createdIds = (created.body['entries'] as Entry[]).map((entry) => entry.subject.id);
    expect(createdIds.sort()).toEqual(['cu1', 'cu2', 'rs', 'rs~cu3']);
  });
}

function describeIntegrity(context: Context): void {
  it('records nothing for a refused request', async () => {
    const { api, world } = context;
    const refused = await changesOf(api, [
      { method: 'PATCH', url: '/v1/accounts/cu1', key: world.keys.cu1, json: { name: 'me' } },
      { method: 'PATCH', url: '/v1/accounts/nobody', json: { name: 'x' } },
      { method: 'PATCH', url: '/v1/accounts/cu1', json: { credit_limit: 5 } },
      { method: 'POST', url: '/v1/accounts/cu1/topups', key: world.keys.other,
        json: { amount: '1.00', reference: 'x' } },
      { method: 'POST', url: '/v1/accounts/cu1/topups', json: { amount: '-1', reference: 'y' } },
      { method: 'POST', url: '/v1/accounts/cu1/api-keys', key: world.keys.other, json: {} },
      { method: 'DELETE', url: '/v1/accounts/cu1/api-keys/key_nope' },
      { method: 'POST', url: '/v1/sessions/nope/kill' },
      { method: 'PUT', url: '/v1/fraud/configs/cu1', key: world.keys.cu1,
        json: { risk_lists: false } },
      { method: 'DELETE', url: '/v1/fraud/risk-lists/nope', key: world.keys.rs },
      { method: 'POST', url: '/v1/rate-decks?name=bad&currency=USD', csv: 'prefix,rate\n4,x\n' },
    ]);
    expect(refused.responses.map((response) => response.status))
      .toEqual([403, 404, 400, 404, 400, 404, 404, 404, 403, 404, 400]);
    expect(refused.entries).toEqual([]);
  });

  it('has recorded every action by now (a new action needs a scenario above)', async () => {
    const rows = await auditRows(context.api) as Array<{ action: string; account_id: unknown;
      scope_path: string }>;
    expect([...new Set(rows.map((row) => row.action))].sort()).toEqual([...auditActions].sort());
    // The operator's own deck (seedWorld's carrier deck) belongs to no tree: no tenant lists it.
    expect(rows).toContainEqual(expect.objectContaining({ action: 'deck_uploaded',
      account_id: null, scope_path: '/' }));
  });

  it('keeps entries as written: the table refuses UPDATE and DELETE', async () => {
    const { api } = context;
    const before = await listAll(api, { accountId: 'op' });
    expect(before.length).toBeGreaterThan(0);
    const attempts = await tryToChangeAuditRows(api);
    expect(attempts.map((attempt) => attempt.statement)).toEqual(context.kind === 'postgres'
      ? ['UPDATE', 'DELETE', 'TRUNCATE'] : ['UPDATE', 'DELETE']);
    for (const attempt of attempts) {
      expect(attempt.error, attempt.statement).toMatch(/append-only/);
    }
    expect(await listAll(api, { accountId: 'op' })).toEqual(before);
  });
}
