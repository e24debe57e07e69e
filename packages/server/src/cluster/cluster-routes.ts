import type { FastifyInstance } from 'fastify';
import { encodeLedgerJson, NotOwnedHere, problem } from '@tollgate/core';
import { secretsEqual } from '../auth/secret-compare.ts';
import type { RequestLimits } from '../http/request-limits.ts';
import { decodeCall, type ClusterCall } from './forwarding.ts';

/** The media type of a forwarded call: a use case input encoded with tagged bigints. */
export const clusterCallType = 'application/x-tollgate-call';
export const clusterKeyHeader = 'x-tollgate-cluster-key';
export const clusterCallPath = '/internal/v1/call';

/** How a node runs a call it owns: its own use cases, never forwarding again. */
export interface ClusterEndpoint {
  readonly key: string;
  run(call: ClusterCall): Promise<unknown>;
}

/**
 * The route other nodes hand calls to. Not part of the public API (no schema, so not in the
 * OpenAPI document): it answers only requests carrying the cluster key, compared in constant
 * time (the cluster key is the admin key unless set apart, so a wrong one spends the address's
 * failed attempts like a wrong bearer key, and from a blocked address even the right one is
 * refused). A call for a tree this node no longer owns is answered `owner_moved`, never forwarded
 * again, so a stale directory costs a retry, not a loop.
 */
export async function clusterRoutes(app: FastifyInstance, endpoint: ClusterEndpoint,
  limits: Pick<RequestLimits, 'failedAuthentication' | 'addressBlocked'>): Promise<void> {
  await app.register(async (internal) => {
    internal.addContentTypeParser(clusterCallType, { parseAs: 'string' },
      (_request, body, done) => done(null, body));
    internal.post(clusterCallPath, async (request, reply) => {
      const given = request.headers[clusterKeyHeader];
      const known = typeof given === 'string' && secretsEqual(given, endpoint.key);
      if (!known || await limits.addressBlocked(request)) {
        await limits.failedAuthentication(request, reply);
        return reply.code(404).send({ code: 'not_found', message: 'no such route' });
      }
      const call = typeof request.body === 'string' ? decodeCall(request.body) : null;
      if (call === null) {
        return reply.code(400).send({ code: 'invalid_call', message: 'not a cluster call' });
      }
      let result: unknown;
      try {
        result = await endpoint.run(call);
      } catch (error) {
        if (!(error instanceof NotOwnedHere)) throw error;
        result = problem('owner_moved', `account tree ${error.rootId} is not owned here`);
      }
      return reply.type(clusterCallType).send(encodeLedgerJson(result));
    });
  });
}
