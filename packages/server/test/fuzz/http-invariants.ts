import { parseMicros } from '@tollgate/core';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { httpStatusOfCode } from '../../src/http/error-mapping.ts';
import type { LedgerFingerprint } from './ledger-fingerprint.ts';
import type { BuiltRequest } from './http-request-builder.ts';

/**
 * What every answer of the HTTP fuzz must satisfy. Kept apart from the test so that each rule
 * has its reason next to it.
 */

/**
 * The operations that may move or hold money when they succeed. Every other operation, and
 * every refused request of any operation, must leave the ledger exactly as it was.
 */
const moneyOperations = new Set([
  'POST /v1/accounts', // a new account's books (count only, no money)
  'POST /v1/carriers', // a carrier is an account of the root, with its books
  'POST /v1/accounts/{id}/topups',
  'POST /v1/accounts/{id}/bundles',
  'POST /v1/accounts/{id}/suspend', // a suspension settles the account's live calls
  'POST /v1/events',
  'POST /v1/sessions',
  'POST /v1/sessions/{session_id}/update',
  'POST /v1/sessions/{session_id}/terminate',
  'POST /v1/sessions/{session_id}/kill',
  'GET /v1/kamailio/authorize',
  'GET /v1/kamailio/update',
  'GET /v1/kamailio/end',
  'POST /v1/accounts/{id}/payments', // money from outside, through the ledger's payment
  'POST /v1/invoices/{invoice_id}/credit-note', // refunds of the invoice's charges
  'POST /v1/dids', // a carrier's costs of the numbers imported, when a carrier is named
  'POST /v1/dids/{number}/assignments', // the setup and first monthly fees
  'POST /v1/dids/{number}/sessions', // an inbound call's hold
  'POST /v1/accounts/{id}/packages', // the first period's fee
]);

const topupOperation = 'POST /v1/accounts/{id}/topups';

/** The problem code of a refused answer: a JSON problem, or Kamailio's one plain-text line. */
function codeOf(response: LightMyRequestResponse): unknown {
  const type = String(response.headers['content-type'] ?? '');
  if (type.startsWith('text/plain')) return response.body.trim();
  expect(type, 'a problem is JSON').toMatch(/^application\/(problem\+)?json/);
  const body = response.json() as Record<string, unknown>;
  expect(typeof body['message'], 'a problem has a message').toBe('string');
  return body['code'];
}

/** No crash, and a refusal carries a stable code whose status is the one the table gives. */
export function checkAnswer(request: BuiltRequest, response: LightMyRequestResponse): void {
  expect(response.statusCode).toBeGreaterThanOrEqual(200);
  expect(response.statusCode, 'never a 5xx for input').toBeLessThan(500);
  const keyless = request.key === 'none' || request.key === 'garbage';
  if (keyless && request.operation.template.startsWith('/v1/')) {
    expect(response.statusCode, 'nothing is served without a valid key').toBeGreaterThan(399);
  }
  if (response.statusCode < 400) return;
  const code = codeOf(response);
  expect(typeof code === 'string' && /^[a-z][a-z0-9_]*$/.test(code), `code ${String(code)}`)
    .toBe(true);
  expect(Object.keys(httpStatusOfCode), 'a code of the error table').toContain(code);
  expect(response.statusCode, `the status of ${String(code)}`)
    .toBe(httpStatusOfCode[code as keyof typeof httpStatusOfCode]);
}

/**
 * Money: a refused request, and any request of an operation that does not move money, leaves
 * the ledger as it was; a top-up brings in exactly its amount once (a replay nothing); nothing
 * else brings money in. Returns the micros a top-up brought in.
 */
export function checkMoney(request: BuiltRequest, status: number, before: LedgerFingerprint,
  after: LedgerFingerprint): bigint {
  const name = request.operation.name;
  const inflowMicros = after.topupMicros - before.topupMicros;
  if (status >= 400 || !moneyOperations.has(name)) {
    expect(after.text.split(' '), 'a refused or read-only request moves no money')
      .toEqual(before.text.split(' '));
    return 0n;
  }
  if (name !== topupOperation || status !== 201) {
    expect(inflowMicros, 'only a new top-up brings money in').toBe(0n);
    return 0n;
  }
  const body = JSON.parse(String(request.inject.payload)) as { amount: string };
  const amount = parseMicros(body.amount);
  expect(amount.ok && inflowMicros === amount.value, `top-up of ${body.amount}`).toBe(true);
  return inflowMicros;
}
