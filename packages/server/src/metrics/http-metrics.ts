import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { TollgateMetrics } from './metrics.ts';
import type { RequestSeries } from './request-series.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by `registerHttpMetrics` on every route. */
    tollgateMeters?: RequestSeries;
  }
}

/**
 * Counts every HTTP answer by route pattern (never the raw URL: ids would make a series per
 * account) and status, and observes its duration. A request no route matched counts under
 * `unmatched`. Must be registered before the routes.
 */
export function registerHttpMetrics(app: FastifyInstance, metrics: TollgateMetrics): void {
  const unmatched = metrics.requests.add('http', 'unmatched');
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const method = methods.find((name) => name !== 'HEAD') ?? methods[0] ?? 'GET';
    route.config = { ...route.config,
      tollgateMeters: metrics.requests.add('http', `${method} ${route.url}`) };
  });
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    const meters = request.routeOptions.config.tollgateMeters ?? unmatched;
    meters.observe(reply.statusCode, reply.elapsedTime / 1_000);
    done();
  });
}
