import type { FastifyRequest } from 'fastify';
import type { ApiKeys, Principal } from '../auth/api-keys.ts';
import { httpProblem } from './http-problem.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on every /v1 route; null only before it runs. */
    principal: Principal | null;
  }
}

const bearerPattern = /^Bearer +([\x21-\x7e]{1,256}) *$/i;

/**
 * Runs before the body is read, so a caller without a valid key cannot make the server parse
 * a large upload.
 */
export function authenticationHook(apiKeys: ApiKeys) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    const match = header === undefined ? null : bearerPattern.exec(header);
    const key = match?.[1];
    if (key === undefined) {
      throw httpProblem('unauthorized', 'send the header Authorization: Bearer <api key>');
    }
    const principal = await apiKeys.authenticate(key);
    if (principal === null) throw httpProblem('unauthorized', 'the API key is unknown or revoked');
    request.principal = principal;
  };
}

export function principalOf(request: FastifyRequest): Principal {
  const { principal } = request;
  if (principal === null) throw new Error('a /v1 route ran without the authentication hook');
  return principal;
}
