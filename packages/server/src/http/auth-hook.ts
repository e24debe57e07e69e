import type { FastifyReply, FastifyRequest } from 'fastify';
import { scopeAllows, scopesAllowing } from '../auth/api-key-scope.ts';
import { keyScopeOf, type ApiKeys, type Principal } from '../auth/api-keys.ts';
import { httpProblem } from './http-problem.ts';
import type { RequestLimits } from './request-limits.ts';
import { routeClassOf } from './route-classes.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on every /v1 route; null only before it runs. */
    principal: Principal | null;
  }
}

const bearerPattern = /^Bearer +([\x21-\x7e]{1,256}) *$/i;

/** The key of an `Authorization: Bearer <key>` header; undefined when absent or malformed. */
export function bearerKeyOf(header: string | undefined): string | undefined {
  return header === undefined ? undefined : bearerPattern.exec(header)?.[1];
}

/**
 * Runs before the body is read, so a caller without a valid key cannot make the server parse
 * a large upload. In order: who the key is (a failure spends the address's budget of failed
 * attempts, request-limits.ts), the key's rate budget for the route's class, then the key's
 * scope (route-classes.ts). A request over a budget or outside the scope reads no body and
 * reaches no use case.
 */
export function authenticationHook(apiKeys: ApiKeys, limits: RequestLimits) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const { method } = request;
    const url = request.routeOptions.url ?? '';
    const routeClass = routeClassOf(method, url);
    // buildApp refuses to start with an unclassified /v1 route, so this is a bug.
    if (routeClass === undefined) throw new Error(`route ${method} ${url} has no class`);
    const header = request.headers.authorization;
    const key = bearerKeyOf(header);
    const found = key === undefined ? null : await apiKeys.authenticate(key);
    // The operator key is the one secret a person chooses: from an address that has spent its
    // failed attempts it is refused like a wrong key, so guessing it gains nothing there.
    const principal = found?.kind === 'operator' && await limits.addressBlocked(request)
      ? null : found;
    if (principal === null) {
      await limits.failedAuthentication(request, reply);
      throw httpProblem('unauthorized', key === undefined
        ? 'send the header Authorization: Bearer <api key>'
        : 'the API key is unknown, revoked or expired');
    }
    await limits.keyRequest(request, reply, principal, routeClass);
    const scope = keyScopeOf(principal);
    if (!scopeAllows(scope, routeClass)) {
      throw httpProblem('scope_insufficient', `a ${scope} key cannot call ${method} ${url}; ` +
        `it needs a key with the scope ${scopesAllowing(routeClass).join(' or ')}`);
    }
    request.principal = principal;
  };
}

export function principalOf(request: FastifyRequest): Principal {
  const { principal } = request;
  if (principal === null) throw new Error('a /v1 route ran without the authentication hook');
  return principal;
}
