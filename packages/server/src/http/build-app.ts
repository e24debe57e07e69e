import { clusterRoutes } from '../cluster/cluster-routes.ts';
import {
  TypeBoxValidatorCompiler,
  type TypeBoxTypeProvider,
} from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { Type } from 'typebox';
import type { AppServices, HttpConfig } from './app-services.ts';
import { httpLimits } from './app-services.ts';
import { authenticationHook } from './auth-hook.ts';
import { handleError } from './error-handler.ts';
import { registerRequestLimits } from './request-limits.ts';
import { unclassifiedMethod } from './route-classes.ts';
import { httpProblem } from './http-problem.ts';
import { buildOpenApiDocument, openApiCollector } from './openapi.ts';
import { accountRoutes } from './routes/account-routes.ts';
import { bundleRoutes } from './routes/bundle-routes.ts';
import { deckRoutes } from './routes/deck-routes.ts';
import { fraudRoutes } from './routes/fraud-routes.ts';
import { keyRoutes } from './routes/key-routes.ts';
import { routingRoutes } from './routes/routing-routes.ts';
import { sessionKillRoutes } from './routes/session-kill-routes.ts';
import { sessionRoutes } from './routes/session-routes.ts';
import { usageRoutes } from './routes/usage-routes.ts';
import { kamailioRoutes } from '../switches/kamailio/kamailio-routes.ts';
import { kamailioFailoverRoutes } from '../switches/kamailio/kamailio-failover.ts';
import { subscriberIdentityRoutes } from '../diameter/subscriber-identity-routes.ts';
import { auditRoutes } from '../audit/audit-routes.ts';
import { billingRoutes } from '../billing/billing-routes.ts';
import { didRoutes } from '../dids/did-routes.ts';
import { packageRoutes } from '../packages/package-routes.ts';
import { assuranceRoutes } from '../assurance/assurance-routes.ts';
import { cdrExportRoutes } from '../assurance/cdr-export-routes.ts';
import { invoiceCheckRoutes } from '../assurance/invoice-check-routes.ts';
import { exchangeRateRoutes } from './routes/exchange-rate-routes.ts';
import { stripeRoutes } from '../stripe/stripe-routes.ts';
import { stripeWebhookRoute } from '../stripe/stripe-webhook-route.ts';
import { registerReadiness } from './readiness.ts';
import { registerHttpMetrics } from '../metrics/http-metrics.ts';
import { TollgateMetrics } from '../metrics/metrics.ts';
import { registerMetricsRoute } from '../metrics/metrics-route.ts';

export interface BuildAppOptions {
  /** Fastify's logger: false in tests, pino options in `serve`. */
  readonly logger?: FastifyServerOptions['logger'];
}

/**
 * The HTTP API as a Fastify instance, not listening (tests use `inject()`). Every option is
 * spelled out (conventions, rule 13). Bodies are JSON up to `bodyBytesMax`, except the CSV
 * uploads of the deck routes; request bodies are validated strictly (no type coercion, no
 * unknown fields), query strings with conversion of numbers.
 */
export async function buildApp(
  config: HttpConfig,
  services: AppServices,
  options: BuildAppOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: config.bodyBytesMax,
    requestTimeout: config.requestTimeoutMs,
    return503OnClosing: true,
    routerOptions: { maxParamLength: httpLimits.paramLengthMax, ignoreTrailingSlash: false },
    frameworkErrors: (error, request, reply) => {
      void handleError(error, request, reply);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  app.decorateRequest('principal', null);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request) => {
    const path = (request.url.split('?')[0] ?? '').slice(0, 200);
    throw httpProblem('not_found', `no route ${request.method} ${path}`);
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  const collector = openApiCollector();
  app.addHook('onRoute', collector.onRoute);
  // The OpenAPI printer's stand-in services are no TollgateMetrics: it gets a registry of its
  // own, so the route and its hooks are the same in the document as in a server.
  const metrics = services.metrics instanceof TollgateMetrics ? services.metrics
    : new TollgateMetrics({ processMetrics: false });
  registerHttpMetrics(app, metrics);
  // Every /v1 route has a scope class (route-classes.ts): an unclassified one stops the start.
  app.addHook('onRoute', (route) => {
    const missing = unclassifiedMethod(route.method, route.url);
    if (missing !== undefined) {
      throw new Error(`route ${missing} ${route.url} is missing from http/route-classes.ts`);
    }
  });
  const limits = await registerRequestLimits(app, config);
  let openApiJson: string | null = null;
  app.get('/openapi.json', { schema: { operationId: 'openApi', tags: ['system'],
    summary: 'This document', authenticated: false } }, async (_request, reply) => {
    openApiJson ??= openApiText(collector.routes);
    return reply.type('application/json; charset=utf-8').send(openApiJson);
  });
  app.get('/health', { schema: { operationId: 'health', tags: ['system'], summary: 'Liveness',
    authenticated: false, response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
  async () => ({ status: 'ok' as const }));
  registerReadiness(app, services);
  registerMetricsRoute(app, { metrics, metricsKey: config.metricsKey, apiKeys: services.apiKeys,
    limits });
  // The typeof check also keeps the OpenAPI printer's stand-in services out (no schema here).
  const cluster = services.cluster;
  if (typeof cluster?.endpoint.key === 'string') {
    await clusterRoutes(app, cluster.endpoint, limits);
  }
  await stripeWebhookRoute(app, services, limits);
  await app.register(async (v1) => {
    v1.addHook('onRequest', authenticationHook(services.apiKeys, limits));
    await v1.register(accountRoutes, { services });
    await v1.register(keyRoutes, { services });
    await v1.register(bundleRoutes, { services });
    await v1.register(sessionRoutes, { services });
    await v1.register(sessionKillRoutes, { services });
    await v1.register(kamailioRoutes, { services });
    await v1.register(kamailioFailoverRoutes, { services });
    await v1.register(subscriberIdentityRoutes, { services });
    await v1.register(usageRoutes, { services });
    await v1.register(routingRoutes, { services });
    await v1.register(deckRoutes, { services, config });
    await v1.register(fraudRoutes, { services });
    await v1.register(auditRoutes, { services });
    await v1.register(billingRoutes, { services });
    await v1.register(didRoutes, { services });
    await v1.register(packageRoutes, { services });
    await v1.register(assuranceRoutes, { services });
    await v1.register(cdrExportRoutes, { services });
    await v1.register(invoiceCheckRoutes, { services, config });
    await v1.register(exchangeRateRoutes, { services });
    await v1.register(stripeRoutes, { services });
  });
  await app.ready();
  return app;
}

/** Empty means no body (a bodiless POST with a JSON content type); bad JSON is `invalid_json`. */
function parseJsonBody(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const detail = error instanceof Error ? error.message : 'unreadable';
    throw httpProblem('invalid_json', `the body is not valid JSON: ${detail}`);
  }
}

/** The committed `packages/server/openapi.json` is exactly this text. */
export function openApiText(routes: Parameters<typeof buildOpenApiDocument>[0]): string {
  return `${JSON.stringify(buildOpenApiDocument(routes), null, 2)}\n`;
}
