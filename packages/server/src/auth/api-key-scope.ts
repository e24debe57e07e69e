/**
 * What a key may do, whatever account it reaches. Reach (`access.ts`) says *which* accounts a
 * key acts on; the scope says *which routes* it may call there:
 * - `full`: everything its reach allows (keys made before scopes existed are `full`);
 * - `charging`: the routes a switch calls per call (authorize, update, terminate, kill, events,
 *   Kamailio, least-cost routes) and `GET /v1/whoami`; a leaked switch key cannot read CDRs,
 *   top up, or make keys;
 * - `read_only`: the routes that only read (GET, except the Kamailio GETs, which charge) and
 *   `GET /v1/whoami`; for dashboards and reporting.
 */
export const apiKeyScopes = ['full', 'charging', 'read_only'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

/**
 * What a route does, as the scope check and the rate limits see it (the table of every route
 * is `http/route-classes.ts`): `charging` routes carry calls and have their own, much higher
 * budget; `read` routes change nothing; `administration` routes change accounts, money,
 * decks, keys or settings; `identity` is `GET /v1/whoami`, which every key may call;
 * `signed` routes take no key at all (a processor's webhook, authenticated by its signature).
 */
export const routeClasses = ['charging', 'read', 'administration', 'identity', 'signed'] as const;
export type RouteClass = (typeof routeClasses)[number];

const allowedClasses = {
  full: ['charging', 'read', 'administration', 'identity'],
  charging: ['charging', 'identity'],
  read_only: ['read', 'identity'],
} as const satisfies Record<ApiKeyScope, readonly RouteClass[]>;

export function scopeAllows(scope: ApiKeyScope, routeClass: RouteClass): boolean {
  return (allowedClasses[scope] as readonly RouteClass[]).includes(routeClass);
}

/** The scopes that may call a route of this class (for the OpenAPI document and messages). */
export function scopesAllowing(routeClass: RouteClass): ApiKeyScope[] {
  return apiKeyScopes.filter((scope) => scopeAllows(scope, routeClass));
}

/**
 * True when every route `inner` allows is allowed by `outer`: a key makes keys no wider than
 * itself. `charging` and `read_only` do not cover each other.
 */
export function scopeCovers(outer: ApiKeyScope, inner: ApiKeyScope): boolean {
  return routeClasses.every((routeClass) =>
    !scopeAllows(inner, routeClass) || scopeAllows(outer, routeClass));
}
