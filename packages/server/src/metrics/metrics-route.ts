import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ApiKeys } from '../auth/api-keys.ts';
import { secretsEqual } from '../auth/secret-compare.ts';
import { bearerKeyOf } from '../http/auth-hook.ts';
import { httpProblem } from '../http/http-problem.ts';
import type { RequestLimits } from '../http/request-limits.ts';
import type { TollgateMetrics } from './metrics.ts';

/**
 * `GET /metrics` in Prometheus text format. The numbers are the whole installation's (held
 * money per currency, fraud measures), so only two keys read them: the metrics key
 * (`TOLLGATE_METRICS_KEY`, which opens nothing else, for the scraper) and the operator key. A
 * tenant's key is refused (403 forbidden); a wrong key spends the address's budget of failed
 * authentications like any other.
 */
export function registerMetricsRoute(app: FastifyInstance, options: {
  readonly metrics: TollgateMetrics;
  readonly metricsKey: string;
  readonly apiKeys: ApiKeys;
  readonly limits: RequestLimits;
}): void {
  const { metrics, metricsKey, apiKeys, limits } = options;
  const allowed = async (request: FastifyRequest): Promise<'yes' | 'tenant' | 'no'> => {
    const key = bearerKeyOf(request.headers.authorization);
    if (key === undefined) return 'no';
    if (metricsKey !== '' && secretsEqual(key, metricsKey)) return 'yes';
    const principal = await apiKeys.authenticate(key);
    if (principal === null) return 'no';
    if (principal.kind === 'account') return 'tenant';
    return await limits.addressBlocked(request) ? 'no' : 'yes';
  };
  app.get('/metrics', { schema: { operationId: 'metrics', tags: ['system'],
    summary: 'Prometheus metrics (the metrics key or the operator key)',
    description: 'Requests by protocol, route and outcome with their durations, live calls, ' +
      'money held per currency, sweeper, charging engine batches and commits, deck cache, ' +
      'fraud actions, process metrics. Send `Authorization: Bearer <TOLLGATE_METRICS_KEY>`. ' +
      'Every metric is described in docs/operations.md.',
    authenticated: false, produces: ['text/plain'],
    response: { 200: Type.String() } } }, async (request, reply) => {
    const verdict = await allowed(request);
    if (verdict === 'no') {
      await limits.failedAuthentication(request, reply);
      throw httpProblem('unauthorized',
        'send Authorization: Bearer <the metrics key or the operator key>');
    }
    if (verdict === 'tenant') {
      throw httpProblem('forbidden', 'metrics are read with the metrics key or the operator key');
    }
    const scraped = await metrics.scrape();
    return reply.type(scraped.contentType).send(scraped.text);
  });
}
