import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import {
  accountNamespaceSeparator,
  internalAccountIdPrefix,
  isChosenAccountId,
  isInternalAccountId,
  ledgerLimits,
} from '@tollgate/core';
import type { Principal } from '../../auth/api-keys.ts';
import { randomId } from '../../auth/api-keys.ts';
import type { AppServices } from '../app-services.ts';
import { httpLimits } from '../app-services.ts';
import { principalOf } from '../auth-hook.ts';
import {
  formatMoney,
  fromApiAccountPatch,
  fromApiCreateAccount,
  parseMoney,
  toApiAccount,
  toApiAccountWithFunds,
} from '../convert.ts';
import { httpProblem, unwrap } from '../http-problem.ts';
import {
  AccountWithFunds,
  ChildrenPage,
  ChildrenQuery,
  CreateAccountBody,
  PatchAccountBody,
  Topup,
  TopupBody,
} from '../schemas/account-schemas.ts';
import { IdParams, withProblems } from '../schemas/common-schemas.ts';
import type { TypeBoxApp } from './route-types.ts';

const tags = ['accounts'];

/**
 * Accounts: create under a parent in scope, read with balances, list children, top up,
 * suspend / activate, change limits and deck. Acting on an account's money or limits needs a
 * key from strictly above it (`descendants`); reading needs the account's own subtree.
 */
export const accountRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  registerCreate(app, services);
  registerReads(app, services);
  registerChanges(app, services);
  registerTopups(app, services);
};

async function accountView(services: AppServices, id: string) {
  return toApiAccountWithFunds(unwrap(await services.ledger.getAccount(id)));
}

/**
 * A deck named on an account must exist, be one the caller may sell, and belong to the
 * account's own tree (or to the operator): another tree's private deck answers like a missing
 * one, even to the operator key, so no price list is ever applied across operators.
 */
async function checkDeck(
  services: AppServices,
  principal: Principal,
  deckId: string | null | undefined,
  rootAccountId: string | null,
): Promise<void> {
  if (deckId === null || deckId === undefined) return;
  const deck = await services.deckStore.findDeckSummary(deckId);
  if (deck === null) throw httpProblem('rate_deck_not_found', `no rate deck ${deckId}`);
  const usable = rootAccountId === null ? deck.ownerAccountId === null
    : await services.access.deckUsableInTree(deck, rootAccountId);
  if (!usable || !(await services.access.deckVisible(principal, deck))) {
    throw httpProblem('rate_deck_not_found', `no rate deck ${deckId}`);
  }
}

/**
 * The id of a new account. A tenant key chooses it in the namespace of its own account, stored
 * as `<key's account>~<id>`: a root's key makes `<root>~alice`, its admin's key
 * `<root>~<admin>~alice`. So neither another operator nor a sibling reseller can take, block
 * or detect an `alice` by trying; a 409 `account_exists` only ever names the key's own doing.
 * The operator key names accounts as it likes (it also makes the roots).
 */
function accountIdFor(principal: Principal, chosen: string) {
  if (principal.kind === 'operator') return chosen;
  if (!isChosenAccountId(chosen)) {
    throw httpProblem('invalid_account_id', 'id: 1-64 of A-Z a-z 0-9 _ . -');
  }
  const namespace = principal.accountId;
  const id = `${namespace}${accountNamespaceSeparator}${chosen}`;
  if (id.length > ledgerLimits.accountIdLengthMax) {
    throw httpProblem('invalid_account_id', `id: at most ${ledgerLimits.accountIdLengthMax -
      namespace.length - 1} characters for this key (it becomes ${
      namespace}${accountNamespaceSeparator}<id>)`);
  }
  return id;
}

function registerCreate(app: TypeBoxApp, services: AppServices): void {
  app.post('/v1/accounts', {
    schema: { operationId: 'createAccount', tags, summary: 'Create an account',
      body: CreateAccountBody, response: withProblems({ 201: AccountWithFunds }) },
  }, async (request, reply) => {
    const principal = principalOf(request);
    const { body } = request;
    if (body.id !== undefined && isInternalAccountId(body.id)) {
      throw httpProblem('invalid_account_id',
        `id: ids starting with "${internalAccountIdPrefix}" are Tollgate's own (carriers)`);
    }
    if (body.parent_id !== null && isInternalAccountId(body.parent_id)) {
      throw httpProblem('parent_not_found', `no account ${body.parent_id}`);
    }
    let rootAccountId: string | null = null;
    if (body.parent_id === null) {
      if (principal.kind !== 'operator') {
        throw httpProblem('forbidden', 'only the operator key creates a root account');
      }
    } else {
      const parent = await services.access.account(principal, body.parent_id, 'subtree');
      if (!parent.ok && parent.code === 'account_not_found') {
        throw httpProblem('parent_not_found', `no account ${body.parent_id}`);
      }
      rootAccountId = unwrap(parent).at(-1)?.id ?? null;
    }
    await checkDeck(services, principal, body.rate_deck_id, rootAccountId);
    const id = accountIdFor(principal, body.id ?? randomId('acc'));
    const input = unwrap(fromApiCreateAccount(body, id));
    const created = unwrap(await services.ledger.createAccount(input));
    reply.code(201);
    const after = await accountView(services, created.account.id);
    await services.audit.record(request, { action: 'account_created',
      subjectId: created.account.id, accountId: created.account.id, before: null, after });
    return after;
  });
}

function registerReads(app: TypeBoxApp, services: AppServices): void {
  const { access, ledger } = services;
  app.get('/v1/accounts/:id', {
    schema: { operationId: 'getAccount', tags, summary: 'An account with its balance',
      params: IdParams, response: withProblems({ 200: AccountWithFunds }) },
  }, async (request) => {
    unwrap(await access.account(principalOf(request), request.params.id, 'subtree'));
    return accountView(services, request.params.id);
  });

  app.get('/v1/accounts/:id/children', {
    schema: { operationId: 'listChildren', tags, summary: 'The children of an account',
      params: IdParams, querystring: ChildrenQuery,
      response: withProblems({ 200: ChildrenPage }) },
  }, async (request) => {
    unwrap(await access.account(principalOf(request), request.params.id, 'subtree'));
    const { after, limit } = request.query;
    const page = unwrap(await ledger.listChildren({ parentId: request.params.id,
      limit: limit ?? httpLimits.pageSizeDefault,
      ...(after === undefined ? {} : { afterId: after }) }));
    return { accounts: page.accounts.map(toApiAccount), next_after: page.nextAfterId };
  });
}

function registerChanges(app: TypeBoxApp, services: AppServices): void {
  const { access, ledger } = services;
  app.patch('/v1/accounts/:id', {
    schema: { operationId: 'updateAccount', tags, summary: 'Change limits, deck, name or zone',
      params: IdParams, body: PatchAccountBody,
      response: withProblems({ 200: AccountWithFunds }) },
  }, async (request) => {
    const principal = principalOf(request);
    const chain = unwrap(await access.account(principal, request.params.id, 'descendants'));
    await checkDeck(services, principal, request.body.rate_deck_id, chain.at(-1)?.id ?? null);
    const changes = unwrap(fromApiAccountPatch(request.body));
    const before = await accountView(services, request.params.id);
    unwrap(await ledger.updateAccount({ id: request.params.id, changes }));
    if ('creditLimitMicros' in changes || 'dailyLimitMicros' in changes ||
      'monthlyLimitMicros' in changes) reauthorizeLiveCalls(services, request, request.params.id);
    const after = await accountView(services, request.params.id);
    await services.audit.record(request, { action: 'account_updated',
      subjectId: request.params.id, accountId: request.params.id, before, after });
    return after;
  });

  for (const [action, state] of [['suspend', 'suspended'], ['activate', 'active']] as const) {
    app.post(`/v1/accounts/:id/${action}`, {
      schema: { operationId: `${action}Account`, tags,
        summary: action === 'suspend' ? 'Suspend: no new calls, no more grants'
          : 'Activate a suspended account',
        params: IdParams, response: withProblems({ 200: AccountWithFunds }) },
    }, async (request) => {
      unwrap(await access.account(principalOf(request), request.params.id, 'descendants'));
      const before = await accountView(services, request.params.id);
      unwrap(await ledger.updateAccount({ id: request.params.id, changes: { state } }));
      // A suspension also ends the live calls of the account and its subtree (switches/).
      if (state === 'suspended') {
        await services.switches.teardown.endLiveCallsOf(request.params.id, 'account_suspended');
      }
      const after = await accountView(services, request.params.id);
      await services.audit.record(request, { action: state === 'suspended' ? 'account_suspended'
        : 'account_activated', subjectId: request.params.id, accountId: request.params.id,
      before, after });
      return after;
    });
  }
}

/**
 * The funds under the account's live calls changed: switches that can be asked (Diameter, by
 * RAR) re-authorize now, so a call told its last grant was final is granted more. In the
 * background: the answer does not wait for the switches, each bounded by the teardown limit.
 */
function reauthorizeLiveCalls(services: AppServices, request: FastifyRequest, id: string) {
  services.switches.teardown.reauthorizeLiveCallsOf(id, 'funds_changed').catch(
    (error: unknown) => request.log.warn({ code: 'internal_error', accountId: id,
      detail: error instanceof Error ? error.message : String(error) },
    'live calls not asked to re-authorize after a funds change'));
}

function registerTopups(app: TypeBoxApp, services: AppServices): void {
  const { access, ledger } = services;
  app.post('/v1/accounts/:id/topups', {
    schema: { operationId: 'topupAccount', tags, summary: 'Add money (idempotent by reference)',
      params: IdParams, body: TopupBody, response: withProblems({ 200: Topup, 201: Topup }) },
  }, async (request, reply) => {
    const { id } = request.params;
    const [account] = unwrap(await access.account(principalOf(request), id, 'descendants'));
    if (account === undefined) throw httpProblem('account_not_found', `no account ${id}`);
    const amountMicros = unwrap(parseMoney(request.body.amount, 'amount'));
    const { reference } = request.body;
    // The reference is the idempotency key: a client retrying a payment cannot pay twice.
    const outcome = unwrap(await ledger.topup({ accountId: id, currency: account.currency,
      amountMicros, reference, idempotencyKey: `topup:${id}:${reference}` }));
    const [transfer] = outcome.transfers;
    reply.code(outcome.replayed ? 200 : 201);
    const balance = unwrap(await ledger.getAccount(id)).postedMicros;
    const posted = { transfer_id: String(transfer?.id ?? ''), account_id: id,
      amount: formatMoney(amountMicros), currency: account.currency, reference,
      replayed: outcome.replayed, balance: formatMoney(balance) };
    // A replay posted nothing: only the first answer is a change.
    if (!outcome.replayed) {
      await services.audit.record(request, { action: 'topup_posted',
        subjectId: posted.transfer_id, accountId: id, before: null, after: posted });
      reauthorizeLiveCalls(services, request, id);
    }
    return posted;
  });
}
