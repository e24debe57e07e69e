import type { RouteOptions } from 'fastify';
import * as AccountSchemas from './schemas/account-schemas.ts';
import * as BundleSchemas from './schemas/bundle-schemas.ts';
import { scopesForRoute } from './route-classes.ts';
import { Problem } from './schemas/common-schemas.ts';
import * as DeckSchemas from './schemas/deck-schemas.ts';
import * as KeySchemas from './schemas/key-schemas.ts';
import * as SessionSchemas from './schemas/session-schemas.ts';

declare module 'fastify' {
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: readonly string[];
    operationId?: string;
    /** Request content types (default application/json). */
    consumes?: readonly string[];
    /** Response content types of the success answer (default application/json). */
    produces?: readonly string[];
    /** False: no bearer key needed. */
    authenticated?: boolean;
  }
}

type JsonSchema = Record<string, unknown> & {
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  description?: string;
};

export interface OpenApiRoute {
  readonly method: string;
  readonly url: string;
  readonly schema: NonNullable<RouteOptions['schema']>;
}

export const openApiInfo = {
  title: 'Tollgate API',
  version: '1.0.0',
  description: 'Real-time online charging for VoIP: accounts, rate decks, live sessions, CDRs. ' +
    'Money is a decimal string; errors and refusals share one problem body with a stable code.',
} as const;

/** Collects every route with a schema as Fastify registers it (an `onRoute` hook). */
export function openApiCollector(): { routes: OpenApiRoute[]; onRoute: (route: RouteOptions)
  => void } {
  const routes: OpenApiRoute[] = [];
  return {
    routes,
    onRoute: (route) => {
      if (route.schema === undefined) return;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        if (method === 'HEAD') continue;
        routes.push({ method: method.toLowerCase(), url: route.url, schema: route.schema });
      }
    },
  };
}

/**
 * Schemas shown once under components and referenced elsewhere, by identity: the document
 * stays readable and the generated client gets named types.
 */
const components: ReadonlyMap<object, string> = new Map<object, string>([
  [Problem, 'Problem'],
  [AccountSchemas.Account, 'Account'],
  [AccountSchemas.AccountWithFunds, 'AccountWithFunds'],
  [AccountSchemas.Topup, 'Topup'],
  [DeckSchemas.RateDeck, 'RateDeck'],
  [DeckSchemas.TimeBands, 'TimeBands'],
  [SessionSchemas.Grant, 'Grant'],
  [SessionSchemas.Terminated, 'Terminated'],
  [SessionSchemas.Charged, 'Charged'],
  [SessionSchemas.LiveSession, 'LiveSession'],
  [SessionSchemas.Cdr, 'Cdr'],
  [BundleSchemas.Bundle, 'Bundle'],
  [KeySchemas.ApiKey, 'ApiKey'],
  [KeySchemas.CreatedKey, 'CreatedKey'],
]);

const statusDescriptions: Readonly<Record<string, string>> = {
  200: 'OK', 201: 'Created', 204: 'No content',
  '4XX': 'A problem with the request, or a refused call: see `code`',
  '5XX': 'An internal error',
};

/** The OpenAPI 3.1 document of the routes, built from their TypeBox (JSON Schema) schemas. */
export function buildOpenApiDocument(routes: readonly OpenApiRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const sorted = [...routes].sort((a, b) => a.url.localeCompare(b.url) ||
    a.method.localeCompare(b.method));
  for (const route of sorted) {
    const path = route.url.replace(/:([A-Za-z_]+)/g, '{$1}');
    paths[path] = { ...paths[path], [route.method]: operationOf(route) };
  }
  return {
    openapi: '3.1.0',
    info: openApiInfo,
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer',
        description: 'An API key: TOLLGATE_ADMIN_KEY (the operator) or one made with ' +
          'POST /v1/accounts/{id}/api-keys. A key calls the operations whose x-key-scopes ' +
          'list its scope (else 403 scope_insufficient); too many requests answer 429 ' +
          'rate_limited with Retry-After.' } },
      schemas: Object.fromEntries([...components].map(([schema, name]) =>
        [name, plain(schema, schema)])),
    },
    paths,
  };
}

function operationOf(route: OpenApiRoute): Record<string, unknown> {
  const { schema } = route;
  const parameters = [
    ...parametersOf(schema.params as JsonSchema | undefined, 'path'),
    ...parametersOf(schema.querystring as JsonSchema | undefined, 'query'),
  ];
  const body = schema.body as JsonSchema | undefined;
  return {
    ...(schema.operationId === undefined ? {} : { operationId: schema.operationId }),
    ...(schema.summary === undefined ? {} : { summary: schema.summary }),
    ...(schema.description === undefined ? {} : { description: schema.description }),
    ...(schema.tags === undefined ? {} : { tags: schema.tags }),
    ...(schema.authenticated === false ? { security: [] } : { security: [{ bearer: [] }],
      'x-key-scopes': scopesForRoute(route.method, route.url) }),
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(body === undefined ? {} : { requestBody: { required: true,
      content: contentOf(schema.consumes, body) } }),
    responses: responsesOf(schema),
  };
}

function parametersOf(schema: JsonSchema | undefined, place: 'path' | 'query') {
  if (schema?.properties === undefined) return [];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, property]) => ({
    name,
    in: place,
    required: place === 'path' || required.has(name),
    ...(property.description === undefined ? {} : { description: property.description }),
    schema: plain(property),
  }));
}

function responsesOf(schema: OpenApiRoute['schema']): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  const declared = (schema.response ?? {}) as Record<string, JsonSchema>;
  for (const [status, response] of Object.entries(declared)) {
    const key = status.toUpperCase();
    const success = key.startsWith('2');
    const description = (success ? response.description : undefined) ??
      statusDescriptions[key] ?? 'Answer';
    if (key === '204') {
      responses[key] = { description };
      continue;
    }
    const content = contentOf(success ? schema.produces : undefined, response);
    responses[key] = { description, content };
  }
  return responses;
}

function contentOf(types: readonly string[] | undefined, schema: JsonSchema) {
  const content: Record<string, unknown> = {};
  for (const type of types ?? ['application/json']) {
    content[type] = { schema: type === 'application/json' ? plain(schema)
      : { type: 'string', description: schema.description } };
  }
  return content;
}

/**
 * A JSON copy of a schema (TypeBox's symbol markers dropped), with every component but `self`
 * replaced by a reference.
 */
function plain(schema: unknown, self: unknown = null): Record<string, unknown> {
  return copy(schema, self) as Record<string, unknown>;
}

function copy(node: unknown, self: unknown): unknown {
  if (Array.isArray(node)) return node.map((item) => copy(item, self));
  if (typeof node !== 'object' || node === null) return node;
  const name = node === self ? undefined : components.get(node);
  if (name !== undefined) return { $ref: `#/components/schemas/${name}` };
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, copy(value, self)]));
}
