import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { bundleIdOf, parseIsoInstantMs } from '@tollgate/core';
import type { AppServices } from '../app-services.ts';
import { principalOf } from '../auth-hook.ts';
import { toApiBundle } from '../convert.ts';
import { unwrap } from '../http-problem.ts';
import { Bundle, BundleList, CreateBundleBody } from '../schemas/bundle-schemas.ts';
import { IdParams, withProblems } from '../schemas/common-schemas.ts';

const tags = ['bundles'];

/**
 * Free-minute bundles of an account (rating.md, "Free-minute bundles"): granted from above,
 * like a top-up (an account never grants itself minutes), read by the account's subtree.
 */
export const bundleRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (
  app,
  { services },
) => {
  const { access, charging } = services;

  app.post('/v1/accounts/:id/bundles', {
    schema: { operationId: 'createBundle', tags, summary: 'Grant free seconds (idempotent by id)',
      params: IdParams, body: CreateBundleBody, response: withProblems({ 201: Bundle }) },
  }, async (request, reply) => {
    const { id } = request.params;
    const { body } = request;
    unwrap(await access.account(principalOf(request), id, 'descendants'));
    let validUntilMs: number | null = null;
    if (body.valid_until !== undefined && body.valid_until !== null) {
      const parsed = parseIsoInstantMs(body.valid_until);
      validUntilMs = unwrap(parsed.ok ? parsed
        : { ...parsed, message: `valid_until: ${parsed.message}`, column: 'valid_until' });
    }
    const existed = unwrap(await charging.listBundles(id))
      .some((bundle) => bundleIdOf(bundle) === body.bundle_id);
    const bundle = unwrap(await charging.createBundle({ bundleId: body.bundle_id,
      accountId: id, prefixes: body.prefixes, timeBand: body.time_band ?? null,
      seconds: body.seconds, validUntilMs }));
    reply.code(201);
    // A retry under an existing id answers the stored bundle and changes nothing.
    if (!existed) {
      await services.audit.record(request, { action: 'bundle_created', subjectId: body.bundle_id,
        accountId: id, before: null, after: toApiBundle(bundle) });
    }
    return toApiBundle(bundle);
  });

  app.get('/v1/accounts/:id/bundles', {
    schema: { operationId: 'listBundles', tags, summary: 'The bundles of an account',
      params: IdParams, response: withProblems({ 200: BundleList }) },
  }, async (request) => {
    const { id } = request.params;
    unwrap(await access.account(principalOf(request), id, 'subtree'));
    return { bundles: unwrap(await charging.listBundles(id)).map(toApiBundle) };
  });
};
