import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Counter, Histogram } from 'prom-client';
import type { TollgateMetrics } from './metrics.ts';

/** The series of one route: made when the route is registered, not per request. */
class RouteMeters {
  readonly #requests: Counter<'protocol' | 'route' | 'outcome'>;
  readonly #route: string;
  readonly #byStatus = new Map<number, { inc(): void }>();
  readonly #seconds: { observe(value: number): void };

  constructor(metrics: TollgateMetrics, route: string) {
    this.#requests = metrics.requests;
    this.#route = route;
    this.#seconds = (metrics.requestSeconds as Histogram<'protocol' | 'route'>)
      .labels('http', route);
  }

  observe(statusCode: number, elapsedMs: number): void {
    let counter = this.#byStatus.get(statusCode);
    if (counter === undefined) {
      // A few statuses per route: the map stays small and is filled once per status.
      counter = this.#requests.labels('http', this.#route, String(statusCode));
      this.#byStatus.set(statusCode, counter);
    }
    counter.inc();
    this.#seconds.observe(elapsedMs / 1_000);
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by `registerHttpMetrics` on every route. */
    tollgateMeters?: RouteMeters;
  }
}

/**
 * Counts every HTTP answer by route pattern (never the raw URL: ids would make a series per
 * account) and status, and observes its duration. A request no route matched counts under
 * `unmatched`. Must be registered before the routes.
 */
export function registerHttpMetrics(app: FastifyInstance, metrics: TollgateMetrics): void {
  const unmatched = new RouteMeters(metrics, 'unmatched');
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const method = methods.find((name) => name !== 'HEAD') ?? methods[0] ?? 'GET';
    route.config = { ...route.config,
      tollgateMeters: new RouteMeters(metrics, `${method} ${route.url}`) };
  });
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    const meters = request.routeOptions.config.tollgateMeters ?? unmatched;
    meters.observe(reply.statusCode, reply.elapsedTime);
    done();
  });
}
