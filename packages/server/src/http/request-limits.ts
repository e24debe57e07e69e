import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/api-keys.ts';
import type { RouteClass } from '../auth/api-key-scope.ts';
import type { Config } from '../config/config-schema.ts';
import { httpProblem } from './http-problem.ts';

export type RateLimitConfig = Pick<Config, 'rateLimitPerKeyPerMinute' |
  'rateLimitChargingPerKeyPerSecond' | 'rateLimitUnauthenticatedPerIpPerMinute'>;

export const requestLimitBounds = {
  /**
   * Counters kept per budget, least recently used dropped first. A dropped counter starts
   * again from zero, so this bounds memory, not a caller: 10,000 keys or addresses busy in
   * one window is far beyond one node's tenants.
   */
  countersMax: 10_000,
  minuteMs: 60_000,
  secondMs: 1_000,
} as const;

/**
 * The abuse limits of the HTTP API, counted in this node's memory (`@fastify/rate-limit`'s
 * local store): N nodes admit up to N times each budget. Three budgets:
 * - failed authentications per client address (no key, a malformed, unknown, revoked or
 *   expired key) per minute: the brute-force case. Once an address has spent it, every failed
 *   attempt answers 429 and the operator key is refused from it too (the one key a person
 *   chooses, so the one worth guessing); stored keys (256 random bits) still work, so a switch
 *   behind the same address keeps charging;
 * - requests per key per minute on every route but the charging ones;
 * - charging requests per key per second: the switch's rate, much higher, so call traffic is
 *   never throttled below what the operator configured for it.
 * 0 turns a budget off. The address is the TCP peer (no proxy header is trusted).
 */
export interface RequestLimits {
  /** Counts a failed authentication of the caller's address; 429 once its budget is spent. */
  failedAuthentication(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** True when the caller's address has spent its failed-authentication budget. */
  addressBlocked(request: FastifyRequest): Promise<boolean>;
  /** Counts a request of an authenticated key on the budget of the route's class. */
  keyRequest(request: FastifyRequest, reply: FastifyReply, principal: Principal,
    routeClass: RouteClass): Promise<void>;
}

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

/** The counter of a principal: a key's public id, never its secret. */
function principalName(principal: Principal): string {
  return principal.kind === 'operator' ? 'operator' : principal.keyId;
}

async function spend(limiter: Limiter | null, request: FastifyRequest, reply: FastifyReply,
  what: string): Promise<void> {
  if (limiter === null) return;
  const counted = await limiter(request);
  if (counted.isAllowed || !counted.isExceeded) return;
  const retryAfterSeconds = Math.max(1, counted.ttlInSeconds);
  reply.header('retry-after', String(retryAfterSeconds));
  throw httpProblem('rate_limited', `too many ${what} (at most ${counted.max} per ` +
    `${counted.timeWindow / 1000} s); retry in ${retryAfterSeconds} s`);
}

export async function registerRequestLimits(app: FastifyInstance, config: RateLimitConfig):
  Promise<RequestLimits> {
  // No route gets a hook of the plugin's own: the authentication hook spends the budgets,
  // because only it knows whether a request failed to authenticate and which key it carries.
  await app.register(rateLimit, { global: false, skipOnError: false });
  const principals = new WeakMap<FastifyRequest, Principal>();
  const limiter = (max: number, timeWindow: number, byKey: boolean): Limiter | null => {
    if (max === 0) return null;
    // `cache` is read by the local store's constructor (the option is missing from the types).
    const options = { max, timeWindow, cache: requestLimitBounds.countersMax,
      ...(byKey ? { keyGenerator: (request: FastifyRequest) => {
        const principal = principals.get(request);
        if (principal === undefined) throw new Error('a key budget is spent after authentication');
        return principalName(principal);
      } } : {}) };
    return app.createRateLimit(options);
  };
  const failed = limiter(config.rateLimitUnauthenticatedPerIpPerMinute,
    requestLimitBounds.minuteMs, false);
  const perMinute = limiter(config.rateLimitPerKeyPerMinute, requestLimitBounds.minuteMs, true);
  const charging = limiter(config.rateLimitChargingPerKeyPerSecond,
    requestLimitBounds.secondMs, true);
  return {
    failedAuthentication: (request, reply) =>
      spend(failed, request, reply, 'failed authentications from this address'),
    addressBlocked: async (request) => {
      if (failed === null) return false;
      const counted = await failed(request, { increment: false });
      return !counted.isAllowed && counted.isExceeded;
    },
    keyRequest: (request, reply, principal, routeClass) => {
      principals.set(request, principal);
      return routeClass === 'charging'
        ? spend(charging, request, reply, 'charging requests for this key')
        : spend(perMinute, request, reply, 'requests for this key');
    },
  };
}
