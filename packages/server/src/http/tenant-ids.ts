import { chargingInputLimits, checkSessionId } from '@tollgate/core';
import type { Access } from '../auth/access.ts';
import type { Principal } from '../auth/api-keys.ts';
import { unwrap } from './http-problem.ts';

/**
 * Session and event ids are chosen by the caller (a switch's Call-ID, a CDR's number), so two
 * tenants will pick the same one, by chance or on purpose. A tenant key's ids live in its
 * tree's namespace: stored as `<root account>~<id>`, so operator B using `cdr-1001` first can
 * neither take nor block operator A's own `cdr-1001`, nor learn that it exists.
 *
 * The operator key and the protocol front ends (Diameter, RADIUS, FreeSWITCH: configured by
 * the operator) use the installation's namespace: ids are stored as given, and tenants cannot
 * write there. A tenant key reading a session (update, terminate, kill) looks in its own
 * namespace first, then in the installation's, where charging still checks that the session
 * is in the key's tree; it answers `session_not_found` either way when it is not.
 */
export interface TenantIds {
  /** The stored key of a new session or event. */
  stored(id: string): string;
  /** The stored keys an id may name, in the order to try them. */
  candidates(id: string): readonly string[];
  /** The id as this key knows it. */
  shown(storedKey: string): string;
}

const separator = '~';
const eventPrefix = 'e:';

/** Roots never change (accounts do not move between trees); the cache is bounded all the same. */
const rootCacheEntriesMax = 10_000;
const rootCache = new Map<string, string>();

const installation: TenantIds = {
  stored: (id) => checked(id),
  candidates: (id) => [checked(id)],
  shown: (key) => key,
};

export async function tenantIdsOf(principal: Principal, access: Access): Promise<TenantIds> {
  if (principal.kind === 'operator') return installation;
  let root = rootCache.get(principal.accountId);
  if (root === undefined) {
    root = await access.rootOf(principal) ?? principal.accountId;
    if (rootCache.size >= rootCacheEntriesMax) rootCache.clear();
    rootCache.set(principal.accountId, root);
  }
  const prefix = `${root}${separator}`;
  return {
    stored: (id) => `${prefix}${checked(id)}`,
    candidates: (id) => [`${prefix}${checked(id)}`, id],
    shown: (key) => {
      if (key.startsWith(prefix)) return key.slice(prefix.length);
      // An event's session is `e:<event id>` (core charging/event.ts).
      if (key.startsWith(`${eventPrefix}${prefix}`)) {
        return `${eventPrefix}${key.slice(eventPrefix.length + prefix.length)}`;
      }
      return key;
    },
  };
}

/** The caller's id is checked as sent, before a namespace lengthens it. */
function checked(id: string): string {
  const malformed = checkSessionId(id, chargingInputLimits.sessionIdLengthMax);
  if (malformed !== null) unwrap(malformed);
  return id;
}
