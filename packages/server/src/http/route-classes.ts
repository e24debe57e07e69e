import { scopesAllowing, type ApiKeyScope, type RouteClass } from '../auth/api-key-scope.ts';

/**
 * Every authenticated route, by method and Fastify URL pattern, with its class (see
 * `auth/api-key-scope.ts`): which key scopes may call it and which rate budget it spends.
 * `buildApp` refuses to start when a `/v1` route is missing here, and a test checks every
 * operation of the committed OpenAPI document against this table, so a new route cannot slip
 * past the scope check unclassified.
 *
 * Charging routes are the ones a switch calls per call: they must never be throttled below the
 * switch's rate, so they spend the per-second charging budget, not the per-minute one. The
 * Kamailio routes are GETs (kamailio.cfg's http_client) but authorize and settle calls, so
 * they are charging, not read. `POST /v1/routes` only reads, but a switch asks it per call
 * (least-cost routing) before it authorizes.
 */
export const routeClassTable = {
  'POST /v1/sessions': 'charging',
  'POST /v1/sessions/:session_id/update': 'charging',
  'POST /v1/sessions/:session_id/terminate': 'charging',
  'POST /v1/sessions/:session_id/kill': 'charging',
  'POST /v1/events': 'charging',
  'POST /v1/routes': 'charging',
  'GET /v1/kamailio/authorize': 'charging',
  'GET /v1/kamailio/start': 'charging',
  'GET /v1/kamailio/update': 'charging',
  'GET /v1/kamailio/end': 'charging',
  'GET /v1/kamailio/route': 'charging',
  'GET /v1/kamailio/failover': 'charging',
  'GET /v1/dids/:number/route': 'charging',
  'POST /v1/dids/:number/sessions': 'charging',
  'POST /v1/kamailio/authorize': 'charging',
  'POST /v1/kamailio/start': 'charging',
  'POST /v1/kamailio/update': 'charging',
  'POST /v1/kamailio/end': 'charging',
  'GET /v1/whoami': 'identity',
  'GET /v1/accounts/:id': 'read',
  'GET /v1/accounts/:id/children': 'read',
  'GET /v1/accounts/:id/api-keys': 'read',
  'GET /v1/accounts/:id/bundles': 'read',
  'GET /v1/accounts/:id/subscriber-identities': 'read',
  'GET /v1/carriers': 'read',
  'GET /v1/dids': 'read',
  'GET /v1/accounts/:id/packages': 'read',
  'GET /v1/dids/:number': 'read',
  'GET /v1/carriers/:carrier_id': 'read',
  'GET /v1/carriers/:carrier_id/quality': 'read',
  'GET /v1/cdrs': 'read',
  'GET /v1/audit': 'read',
  'GET /v1/sessions': 'read',
  'GET /v1/fraud/alerts': 'read',
  'GET /v1/fraud/configs/:id': 'read',
  'GET /v1/fraud/measures': 'read',
  'GET /v1/fraud/risk-lists': 'read',
  'GET /v1/rate-decks': 'read',
  'GET /v1/rate-decks/:id': 'read',
  'GET /v1/rate-decks/:id/csv': 'read',
  'GET /v1/accounts/:id/billing-settings': 'read',
  'GET /v1/accounts/:id/tax-profiles': 'read',
  'GET /v1/accounts/:id/payments': 'read',
  'GET /v1/invoices': 'read',
  'GET /v1/invoices/:invoice_id': 'read',
  'GET /v1/reconciliation': 'read',
  'GET /v1/margins': 'read',
  'GET /v1/rerating': 'read',
  'GET /v1/cdrs/export': 'read',
  'GET /v1/exchange-rates': 'read',
  'POST /v1/accounts': 'administration',
  'PATCH /v1/accounts/:id': 'administration',
  'POST /v1/accounts/:id/suspend': 'administration',
  'POST /v1/accounts/:id/activate': 'administration',
  'POST /v1/accounts/:id/topups': 'administration',
  'POST /v1/accounts/:id/api-keys': 'administration',
  'DELETE /v1/accounts/:id/api-keys/:key_id': 'administration',
  'POST /v1/accounts/:id/bundles': 'administration',
  'PUT /v1/accounts/:id/routing-policy': 'administration',
  'PUT /v1/accounts/:id/subscriber-identities': 'administration',
  'DELETE /v1/accounts/:id/subscriber-identities/:kind/:identity': 'administration',
  'POST /v1/carriers': 'administration',
  'PATCH /v1/carriers/:carrier_id': 'administration',
  'POST /v1/route-rules': 'administration',
  'DELETE /v1/route-rules': 'administration',
  'PUT /v1/fraud/configs/:id': 'administration',
  'DELETE /v1/fraud/configs/:id': 'administration',
  'PUT /v1/fraud/risk-lists/:id': 'administration',
  'DELETE /v1/fraud/risk-lists/:id': 'administration',
  'POST /v1/fraud/measures/:id/release': 'administration',
  'POST /v1/rate-decks': 'administration',
  'POST /v1/time-bands': 'administration',
  'PUT /v1/accounts/:id/billing-settings': 'administration',
  'POST /v1/dids': 'administration',
  'POST /v1/accounts/:id/packages': 'administration',
  'POST /v1/dids/:number/assignments': 'administration',
  'POST /v1/dids/:number/release': 'administration',
  'PUT /v1/dids/:number/destination': 'administration',
  'PUT /v1/accounts/:id/tax-profiles/:profile_id': 'administration',
  'POST /v1/accounts/:id/billing-periods/close': 'administration',
  'POST /v1/accounts/:id/payments': 'administration',
  'POST /v1/invoices/:invoice_id/credit-note': 'administration',
  // Reads only, but takes a file: a read-only key should not upload.
  'POST /v1/carriers/:carrier_id/invoice-check': 'administration',
  'POST /v1/exchange-rates': 'administration',
  'GET /v1/accounts/:id/stripe-settings': 'read',
  'GET /v1/accounts/:id/card': 'read',
  'GET /v1/accounts/:id/auto-refill': 'read',
  'GET /v1/accounts/:id/payment-notices': 'read',
  'PUT /v1/accounts/:id/stripe-settings': 'administration',
  'POST /v1/accounts/:id/card-setup': 'administration',
  'POST /v1/accounts/:id/card-topups': 'administration',
  'PUT /v1/accounts/:id/auto-refill': 'administration',
  // Called by Stripe with no key: authenticated by its signature (stripe/stripe-webhook.ts).
  'POST /v1/stripe/webhook/:root_id': 'signed',
} as const satisfies Record<string, RouteClass>;

/** The class of a route, or undefined when the table lacks it. HEAD is answered as GET. */
export function routeClassOf(method: string, url: string): RouteClass | undefined {
  const verb = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  const table: Readonly<Record<string, RouteClass>> = routeClassTable;
  return table[`${verb} ${url}`];
}

/** The scopes that may call a route (for the OpenAPI document); empty when unclassified. */
export function scopesForRoute(method: string, url: string): ApiKeyScope[] {
  const routeClass = routeClassOf(method, url);
  return routeClass === undefined ? [] : scopesAllowing(routeClass);
}

/** The first method of an authenticated (`/v1/`) route that the table lacks, if any. */
export function unclassifiedMethod(methods: string | readonly string[], url: string):
  string | undefined {
  if (!url.startsWith('/v1/')) return undefined;
  const list: readonly string[] = typeof methods === 'string' ? [methods] : methods;
  return list.find((method) => routeClassOf(method, url) === undefined);
}
