import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { subscribePackage, type PackageDeps, type PackageSubscription } from '@tollgate/core';
import { Type, type Static } from 'typebox';
import type { AppServices } from '../http/app-services.ts';
import { principalOf } from '../http/auth-hook.ts';
import { formatMoney, parseMoney } from '../http/convert.ts';
import { httpProblem, unwrap } from '../http/http-problem.ts';
import { IdParams, Instant, Money, withProblems } from '../http/schemas/common-schemas.ts';

const tags = ['packages'];

const Unused = Type.Union([Type.Literal('expire'), Type.Literal('rollover')]);
const FirstPeriod = Type.Union([Type.Literal('prorated'), Type.Literal('full')]);

export const SubscribeBody = Type.Object({
  package_id: Type.String({ minLength: 1, maxLength: 64 }),
  monthly_price: Money,
  included_seconds: Type.Integer({ minimum: 1, maximum: 15_811_200 }),
  prefixes: Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { minItems: 1,
    maxItems: 1_000 }),
  unused: Unused,
  first_period: Type.Optional(Type.Union([FirstPeriod, Type.Null()])),
}, { additionalProperties: false });

export const PackageView = Type.Object({
  package_id: Type.String(),
  account_id: Type.String(),
  currency: Type.String(),
  monthly_price: Money,
  included_seconds: Type.Integer(),
  prefixes: Type.Array(Type.String()),
  unused: Unused,
  first_period: FirstPeriod,
  started_at: Instant,
  renewed_through: Type.Union([Instant, Type.Null()]),
});
const PackageList = Type.Object({ packages: Type.Array(PackageView) });

function toApiPackage(subscription: PackageSubscription): Static<typeof PackageView> {
  return { package_id: subscription.packageId, account_id: subscription.accountId,
    currency: subscription.currency, monthly_price: formatMoney(subscription.monthlyMicros),
    included_seconds: subscription.includedSeconds, prefixes: [...subscription.prefixes],
    unused: subscription.unused, first_period: subscription.firstPeriod,
    started_at: new Date(subscription.startedAtMs).toISOString(),
    renewed_through: subscription.renewedThroughMs === 0 ? null
      : new Date(subscription.renewedThroughMs).toISOString() };
}

function packagesOf(services: AppServices): PackageDeps {
  if (services.packages === undefined) {
    throw httpProblem('service_unavailable', 'packages are not configured on this node');
  }
  return services.packages;
}

/**
 * Packages (issue 18): a parent (or above) subscribes an account to a monthly fee with
 * included seconds, like a bundle it grants; the account's subtree reads them. The seconds
 * are bundles (`GET /v1/accounts/{id}/bundles`), one per period.
 */
export const packageRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  app.post('/v1/accounts/:id/packages', {
    schema: { operationId: 'subscribePackage', tags, summary: 'Subscribe an account to a ' +
      'package (its parent or above): the current period is charged and its seconds granted',
    params: IdParams, body: SubscribeBody, response: withProblems({ 201: PackageView }) },
  }, async (request, reply) => {
    const { id } = request.params;
    const { body } = request;
    unwrap(await services.access.account(principalOf(request), id, 'descendants'));
    const subscription = unwrap(await subscribePackage(packagesOf(services), { accountId: id,
      packageId: body.package_id, includedSeconds: body.included_seconds,
      monthlyMicros: unwrap(parseMoney(body.monthly_price, 'monthly_price')),
      prefixes: body.prefixes, unused: body.unused, firstPeriod: body.first_period ?? null }));
    const view = toApiPackage(subscription);
    reply.code(201);
    await services.audit.record(request, { action: 'package_subscribed',
      subjectId: body.package_id, accountId: id, before: null, after: view });
    return view;
  });

  app.get('/v1/accounts/:id/packages', {
    schema: { operationId: 'listPackages', tags, summary: 'The packages of an account',
      params: IdParams, response: withProblems({ 200: PackageList }) },
  }, async (request) => {
    const { id } = request.params;
    unwrap(await services.access.account(principalOf(request), id, 'subtree'));
    const found = await packagesOf(services).store.listSubscriptions(id);
    return { packages: found.map(toApiPackage) };
  });
};
