import type { World } from '../http/http-fixture.ts';
import { deckCsv } from '../http/http-fixture.ts';

/**
 * One valid request for every operation of the API, made with the operator key in mind: the
 * HTTP fuzz sends these as they are, and mutates one part of them at a time, so that most
 * requests get past the schema and reach the rules behind it. `fresh` is unique per case, so
 * that creations do not all collide with the first one.
 */
export interface FuzzContext {
  readonly world: World;
  /** Ids made in the fuzz's setup for the operations that need an existing thing. */
  readonly carrierId: string;
  readonly bandsId: string;
  readonly spareKeyId: string;
  /** What the run has made so far (the latest few of each), for the follow-ups to name. */
  readonly recent: Readonly<Record<RecentKind, string[]>>;
}

export type RecentKind = 'sessions' | 'kamailioCalls' | 'riskLists' | 'identities';

export interface ValidRequest {
  readonly path: Record<string, string>;
  readonly query: Record<string, string>;
  /** A JSON value, or the text of a CSV upload. */
  readonly body?: unknown;
}

type Maker = (context: FuzzContext, fresh: string) => ValidRequest;

const none = { path: {}, query: {} };
/** The fuzz's numbers (DIDs), made in its setup. */
export const fuzzDid = '442079460100';
export const fuzzStockDid = '442079460101';
const account = (id: string, body?: unknown): ValidRequest =>
  ({ path: { id }, query: {}, ...(body === undefined ? {} : { body }) });
const latest = (list: readonly string[], fallback: string) => list.at(-1) ?? fallback;
const bandsCsv = 'band,days,start,end\npeak,Mon-Fri,08:00,18:00\n';

export const validRequests: Readonly<Record<string, Maker>> = {
  'GET /health': () => none,
  'GET /ready': () => none,
  'GET /metrics': () => none,
  'GET /v1/exchange-rates': () => none,
  'POST /v1/exchange-rates': () => ({ path: {}, query: {},
    body: { from: 'EUR', to: 'USD', rate: '1.0845' } }),
  'GET /openapi.json': () => none,
  'GET /v1/whoami': () => none,
  'POST /v1/accounts': ({ world }, fresh) => ({ path: {}, query: {}, body: { id: `fz${fresh}`,
    parent_id: 'rs', tier: 'customer', currency: 'USD', name: 'Fuzz', mode: 'prepaid',
    credit_limit: '1.00', daily_limit: '50.00', monthly_limit: null, concurrent_calls_max: 5,
    time_zone: 'Europe/London', rate_deck_id: world.decks.retail } }),
  'GET /v1/accounts/{id}': () => account('cu1'),
  'PATCH /v1/accounts/{id}': () => account('cu2', { name: 'Fuzzed', credit_limit: '5.00',
    daily_limit: null, concurrent_calls_max: null, time_zone: 'UTC' }),
  'POST /v1/accounts/{id}/activate': () => account('cu2'),
  'POST /v1/accounts/{id}/suspend': () => account('cu2'),
  'GET /v1/accounts/{id}/api-keys': () => account('cu1'),
  'POST /v1/accounts/{id}/api-keys': () => account('cu2', { label: 'fuzz' }),
  'DELETE /v1/accounts/{id}/api-keys/{key_id}': ({ spareKeyId }) =>
    ({ path: { id: 'cu2', key_id: spareKeyId }, query: {} }),
  'GET /v1/accounts/{id}/bundles': () => account('cu1'),
  'POST /v1/accounts/{id}/bundles': (_context, fresh) => account('cu1', { bundle_id: `b${fresh}`,
    prefixes: ['44', '447'], time_band: null, seconds: 60,
    valid_until: '2027-01-01T00:00:00Z' }),
  'GET /v1/accounts/{id}/children': () => ({ path: { id: 'rs' },
    query: { after: 'cu1', limit: '10' } }),
  'PUT /v1/accounts/{id}/routing-policy': () => account('rs', { strategy: 'least_cost',
    margin_policy: 'protect' }),
  'GET /v1/accounts/{id}/subscriber-identities': () => ({ path: { id: 'cu1' },
    query: { limit: '10' } }),
  'PUT /v1/accounts/{id}/subscriber-identities': (_context, fresh) => account('cu1',
    { kind: 'sip_uri', identity: `sip:${fresh}@fuzz.test`, charging: 'online' }),
  'DELETE /v1/accounts/{id}/subscriber-identities/{kind}/{identity}': ({ recent }, fresh) =>
    ({ path: { id: 'cu1', kind: 'sip_uri',
      identity: latest(recent.identities, `sip:${fresh}@fuzz.test`) }, query: {} }),
  'POST /v1/accounts/{id}/topups': (_context, fresh) => account('cu1', { amount: '1.25',
    reference: `top-${fresh}` }),
  'GET /v1/carriers': () => ({ path: {}, query: { root_account_id: 'op' } }),
  'POST /v1/carriers': ({ world }, fresh) => ({ path: {}, query: {}, body: { id: `c${fresh}`,
    root_account_id: 'op', name: 'Fuzz carrier', rate_deck_id: world.decks.carrier,
    gateway: 'sip:gw@192.0.2.1', priority: 5, weight: 1, concurrent_calls_max: null,
    calls_per_second_max: 10, state: 'active' } }),
  'GET /v1/carriers/{carrier_id}': ({ carrierId }) =>
    ({ path: { carrier_id: carrierId }, query: {} }),
  'PATCH /v1/carriers/{carrier_id}': ({ carrierId }) => ({ path: { carrier_id: carrierId },
    query: {}, body: { name: 'Renamed', priority: 1, state: 'active' } }),
  'GET /v1/carriers/{carrier_id}/quality': ({ carrierId }) =>
    ({ path: { carrier_id: carrierId }, query: {} }),
  'GET /v1/audit': () => ({ path: {}, query: { account_id: 'rs', action: 'account_created',
    limit: '5' } }),
  'GET /v1/cdrs': () => ({ path: {}, query: { account_id: 'rs', customer_id: 'cu1',
    from: '2026-11-01T00:00:00Z', to: '2026-12-31T00:00:00Z', format: 'json', limit: '5' } }),
  'POST /v1/events': (_context, fresh) => ({ path: {}, query: {}, body: { event_id: `e${fresh}`,
    account_id: 'cu1', caller: '15551230000', callee: '442079460000', duration_seconds: 30,
    started_at: '2026-11-30T11:00:00Z' } }),
  'GET /v1/fraud/alerts': () => ({ path: {}, query: { account_id: 'rs', limit: '5' } }),
  'GET /v1/fraud/configs/{id}': () => account('cu1'),
  'PUT /v1/fraud/configs/{id}': () => account('cu1', { call_velocity: {
    attempts_per_minute_max: 100_000, action: 'alert' }, risk_lists: true,
  cost_per_minute: { ceiling: '10.00', used_seconds_min: 0, action: 'alert' } }),
  'DELETE /v1/fraud/configs/{id}': () => account('cu1'),
  'GET /v1/fraud/measures': () => ({ path: {}, query: { account_id: 'rs', active: 'true' } }),
  'POST /v1/fraud/measures/{id}/release': (_context, fresh) => account(`m${fresh}`),
  'GET /v1/fraud/risk-lists': () => none,
  'PUT /v1/fraud/risk-lists/{id}': (_context, fresh) => account(`r${fresh}`, { name: 'Fuzz',
    prefixes: ['999', '8881'], action: 'alert', calls_threshold: 1000, window_minutes: 5,
    owner_id: 'rs' }),
  'DELETE /v1/fraud/risk-lists/{id}': ({ recent }, fresh) =>
    account(latest(recent.riskLists, `r${fresh}`)),
  'GET /v1/kamailio/authorize': (_context, fresh) => ({ path: {}, query: { account: 'cu1',
    caller: '15551230000', callee: '+442079460000', callid: `k${fresh}` } }),
  // Never a Call-ID that was authorized: a started dialog arms a wall-clock timer that would
  // settle the call in the middle of a later case.
  'GET /v1/kamailio/start': (_context, fresh) => ({ path: {}, query: { callid: `never-${fresh}`,
    h_entry: '1', h_id: '2' } }),
  // The same for a renewal: a granted one arms the timer too.
  'GET /v1/kamailio/update': (_context, fresh) => ({ path: {}, query: {
    callid: `never-${fresh}`, used: '3' } }),
  'GET /v1/kamailio/end': ({ recent }, fresh) => ({ path: {}, query: {
    callid: latest(recent.kamailioCalls, `k${fresh}`), duration: '12' } }),
  'GET /v1/kamailio/route': ({ recent }, fresh) => ({ path: {}, query: {
    callid: latest(recent.kamailioCalls, `k${fresh}`) } }),
  // Like start: a failover would end the try of a call a later case still reports on.
  'GET /v1/kamailio/failover': (_context, fresh) => ({ path: {}, query: {
    callid: `never-${fresh}`, status: '503' } }),
  'GET /v1/rate-decks': () => ({ path: {}, query: { limit: '3' } }),
  // Numbers: `fuzzDid` is assigned op > ad > rs > cu1 in the setup, `fuzzStockDid` in stock.
  'POST /v1/dids': (_context, fresh) => ({ path: {}, query: { operator_id: 'op' },
    body: `number,country,setup_cost,monthly_cost\n4420946${fresh.padStart(5, '0')},GB,,\n` }),
  'GET /v1/dids': () => ({ path: {}, query: { account_id: 'rs', limit: '5' } }),
  'GET /v1/dids/{number}': () => ({ path: { number: fuzzDid }, query: {} }),
  'POST /v1/dids/{number}/assignments': () => ({ path: { number: fuzzStockDid }, query: {},
    body: { to_account_id: 'ad', setup_price: '1.00', monthly_price: '2.00',
      inbound_rate_deck_id: null, first_period: 'prorated' } }),
  'POST /v1/dids/{number}/release': () => ({ path: { number: fuzzStockDid }, query: {},
    body: { account_id: 'ad' } }),
  'PUT /v1/dids/{number}/destination': () => ({ path: { number: fuzzDid }, query: {},
    body: { destination: { kind: 'sip_uri', value: 'sip:desk@pbx.example.com' } } }),
  'GET /v1/dids/{number}/route': () => ({ path: { number: fuzzDid }, query: {} }),
  'POST /v1/dids/{number}/sessions': (_context, fresh) => ({ path: { number: fuzzDid },
    query: {}, body: { session_id: `in${fresh}`, caller: '15551230000', request_number: 0 } }),
  'POST /v1/accounts/{id}/packages': (_context, fresh) => account('cu1', {
    package_id: `p${fresh}`, monthly_price: '0.50', included_seconds: 60, prefixes: ['44'],
    unused: 'rollover', first_period: 'full' }),
  'GET /v1/accounts/{id}/packages': () => account('cu1'),
  'GET /v1/accounts/{id}/billing-settings': () => account('cu2'),
  'PUT /v1/accounts/{id}/billing-settings': () => account('cu2', { cycle: { kind: 'monthly',
    anchor_day: 31 }, payment_terms_days: 14, tax_profile_id: null, invoice_prefix: 'RS',
  legal_name: 'Fuzz Ltd', address: '1 Street', tax_id: 'GB1' }),
  'GET /v1/accounts/{id}/tax-profiles': () => account('rs'),
  'PUT /v1/accounts/{id}/tax-profiles/{profile_id}': () => ({ path: { id: 'rs',
    profile_id: 'vat' }, query: {}, body: { name: 'VAT', treatment: 'standard',
    prices_include_tax: false, rates: [{ name: 'VAT', percent: '20' }], note: '' } }),
  'GET /v1/accounts/{id}/payments': () => account('cu2'),
  'POST /v1/accounts/{id}/payments': (_context, fresh) => account('cu2', {
    method: 'bank_transfer', reference: `p${fresh}`, amount: '1.00', currency: 'USD',
    received_at: '2026-11-30T12:00:00Z' }),
  'POST /v1/accounts/{id}/billing-periods/close': () => account('cu2',
    { period: '2026-10-01' }),
  'GET /v1/reconciliation': () => ({ path: {}, query: { account_id: 'rs',
    from: '2026-11-01T00:00:00Z', to: '2026-12-31T00:00:00Z' } }),
  'GET /v1/margins': () => ({ path: {}, query: { account_id: 'rs',
    from: '2026-11-01T00:00:00Z', to: '2026-12-31T00:00:00Z', format: 'csv' } }),
  'GET /v1/rerating': ({ world }) => ({ path: {}, query: { account_id: 'rs',
    from: '2026-11-01T00:00:00Z', to: '2026-12-31T00:00:00Z', deck_id: world.decks.retail,
    side: 'revenue' } }),
  'GET /v1/cdrs/export': () => ({ path: {}, query: { account_id: 'rs',
    from: '2026-11-01T00:00:00Z', to: '2026-12-31T00:00:00Z', format: 'astpp' } }),
  'POST /v1/carriers/{carrier_id}/invoice-check': ({ carrierId }) => ({ path: {
    carrier_id: carrierId }, query: { from: '2026-11-01T00:00:00Z',
    to: '2026-12-31T00:00:00Z', time_window_s: '30' },
  body: 'time,caller,callee,duration,cost\n2026-11-30 11:00:00,1555,442079460000,30,0.05\n' }),
  'GET /v1/invoices': () => ({ path: {}, query: { account_id: 'rs', limit: '5' } }),
  'GET /v1/invoices/{invoice_id}': () => ({ path: { invoice_id: 'inv-2026-10-01-cu2' },
    query: {} }),
  'POST /v1/invoices/{invoice_id}/credit-note': () => ({ path: {
    invoice_id: 'inv-2026-10-01-cu2' }, query: {} }),
  // Card payments: no Stripe is reachable here, so the keys go to a non-root (refused) and
  // the card routes answer stripe_not_configured; the webhook has no signature.
  'GET /v1/accounts/{id}/stripe-settings': () => account('op'),
  'PUT /v1/accounts/{id}/stripe-settings': () => account('rs', {
    secret_key: 'sk_test_fuzzSecret0001', publishable_key: 'pk_test_fuzzPublic0001',
    webhook_secret: 'whsec_fuzzSigning0001' }),
  'POST /v1/accounts/{id}/card-setup': () => account('cu1'),
  'GET /v1/accounts/{id}/card': () => account('cu1'),
  'POST /v1/accounts/{id}/card-topups': (_context, fresh) => account('cu1', {
    amount: '5.00', reference: `c${fresh}` }),
  'GET /v1/accounts/{id}/auto-refill': () => account('cu1'),
  'PUT /v1/accounts/{id}/auto-refill': () => account('cu1', { enabled: false,
    threshold: '2.00', amount: '10.00' }),
  'GET /v1/accounts/{id}/payment-notices': () => account('cu1'),
  'POST /v1/stripe/webhook/{root_id}': () => ({ path: { root_id: 'op' }, query: {},
    body: { id: 'evt_fuzz', type: 'payment_intent.succeeded', data: { object: {} } } }),
  'POST /v1/rate-decks': ({ bandsId }) => ({ path: {}, query: { name: 'fuzz', currency: 'USD',
    decimals: '4', rounding: 'half_up', zone: 'Europe/London', bands_id: bandsId,
    owner_id: 'rs' }, body: `${deckCsv('0.30')}\n` }),
  'GET /v1/rate-decks/{id}': ({ world }) => account(world.decks.retail),
  'GET /v1/rate-decks/{id}/csv': ({ world }) => account(world.decks.retail),
  'POST /v1/time-bands': () => ({ path: {}, query: { name: 'fuzz', owner_id: 'rs' },
    body: bandsCsv }),
  'POST /v1/route-rules': ({ carrierId }) => ({ path: {}, query: {}, body: { account_id: 'rs',
    prefix: '44', carrier_id: carrierId, action: 'pin' } }),
  'DELETE /v1/route-rules': ({ carrierId }) => ({ path: {}, query: { account_id: 'rs',
    prefix: '44', carrier_id: carrierId } }),
  'POST /v1/routes': () => ({ path: {}, query: {}, body: { account_id: 'cu1',
    callee: '442079460000', expected_duration_s: 60 } }),
  'GET /v1/sessions': () => ({ path: {}, query: { account_id: 'cu1', limit: '5' } }),
  'POST /v1/sessions': (_context, fresh) => ({ path: {}, query: {}, body: {
    session_id: `s${fresh}`, account_id: 'cu1', caller: '15551230000', callee: '442079460000',
    request_number: 0 } }),
  'POST /v1/sessions/{session_id}/update': ({ recent }, fresh) => ({ path: {
    session_id: latest(recent.sessions, `s${fresh}`) }, query: {},
  body: { request_number: 1, used_seconds: 20 } }),
  'POST /v1/sessions/{session_id}/terminate': ({ recent }, fresh) => ({ path: {
    session_id: latest(recent.sessions, `s${fresh}`) }, query: {},
  body: { request_number: 2, used_seconds: 31, pdd_ms: 800 } }),
  'POST /v1/sessions/{session_id}/kill': ({ recent }, fresh) => ({ path: {
    session_id: latest(recent.sessions, `s${fresh}`) }, query: { reason: 'fuzz' } }),
};
