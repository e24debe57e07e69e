import { decodeLedgerJson, type Result } from '@tollgate/core';
import { clusterCallPath, clusterCallType, clusterKeyHeader } from './cluster-routes.ts';
import { encodeCall, ownerUnavailable, type ClusterCall, type Forwarder } from './forwarding.ts';
import type { PostgresOwnership } from '../storage/postgres/postgres-ownership.ts';

/** Tries of one forwarded call: the directory may be stale once, after a takeover. */
const forwardTriesMax = 3;
const forwardTimeoutMs = 10_000;

/**
 * Forwards over HTTP (keep-alive, Node's fetch) to the node the ownership directory names. A
 * node the directory calls the owner that turns out not to be (it moved) or that cannot be
 * reached is asked again after re-reading the directory; then the caller gets
 * `owner_unavailable` (503), and nothing was decided anywhere.
 */
export function httpForwarder(ownership: PostgresOwnership, clusterKey: string): Forwarder {
  return {
    async forward(rootId: string, call: ClusterCall): Promise<Result<unknown, string>> {
      let why = 'no owner';
      for (let attempt = 0; attempt < forwardTriesMax; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
        const owner = await ownership.ownerOf(rootId, attempt > 0);
        if (owner === null || owner.url === '' || owner.nodeId === ownership.nodeId) {
          why = owner === null ? 'no owner' : 'owner not serving yet';
          continue;
        }
        try {
          const response = await fetch(owner.url + clusterCallPath, { method: 'POST',
            headers: { 'content-type': clusterCallType, [clusterKeyHeader]: clusterKey },
            body: encodeCall(call), signal: AbortSignal.timeout(forwardTimeoutMs) });
          const text = await response.text();
          if (!response.ok) {
            why = `owner answered ${response.status}`;
            continue;
          }
          const result = decodeLedgerJson(text) as Result<unknown, string>;
          if (!result.ok && result.code === 'owner_moved') {
            why = 'owner moved';
            continue;
          }
          return result;
        } catch (error) {
          why = error instanceof Error ? error.message : String(error);
        }
      }
      return ownerUnavailable(rootId, why);
    },
  };
}
