import { chargingInputLimits, checkSessionId } from '@tollgate/core';
import type { Principal } from '../auth/api-keys.ts';
import { unwrap } from './http-problem.ts';

/**
 * Ids a caller chooses for things it creates (a switch's Call-ID, a CDR's number, a risk list's
 * name) will collide between tenants, by chance or on purpose. A tenant key's ids live in its
 * own account's namespace: stored as `<account>~<id>`, so neither another operator nor a
 * sibling reseller can take, block or learn of `cdr-1001` by using it first.
 *
 * A key knows its own ids bare. Ids of other namespaces it may reach (those of its
 * descendants' keys, and the installation's) it sees and names in full, `<account>~<id>` or
 * as stored. The operator key and the protocol front ends (Diameter, RADIUS, FreeSWITCH:
 * configured by the operator) use the installation's namespace, where tenants cannot write:
 * their ids are stored as given, and they name every tenant's ids in full. Whether a stored
 * thing is within the key's reach is checked where it is used (charging's scope, the owner of
 * a list); out of reach, it answers exactly like a missing one.
 */
export interface TenantIds {
  /** The stored key of a new session, event or list. */
  stored(id: string): string;
  /** The stored keys an id may name, in the order to try them: own namespace first. */
  candidates(id: string): readonly string[];
  /** The id as this key names it. */
  shown(storedKey: string): string;
}

/**
 * Also the separator of account namespaces (`<key's account>~<id>`), so names are
 * relative to it all the way down: the root's key names its customer's call `alice~call-7`,
 * stored `<root>~alice~call-7`, which is the customer key's `call-7`. (A parent could choose an
 * id with a `~` that equals a child's: a parent already suspends and kills its children.)
 */
export const namespaceSeparator = '~';
/** An event's session is `e:<event id>` (core charging/event.ts). */
const eventPrefix = 'e:';

const installation: TenantIds = {
  stored: (id) => checked(id),
  candidates: (id) => [checked(id)],
  shown: (key) => key,
};

export function tenantIdsOf(principal: Principal): TenantIds {
  if (principal.kind === 'operator') return installation;
  const prefix = `${principal.accountId}${namespaceSeparator}`;
  return {
    stored: (id) => `${prefix}${checked(id)}`,
    candidates: (id) => [`${prefix}${checked(id)}`, id],
    shown: (key) => {
      if (key.startsWith(prefix)) return key.slice(prefix.length);
      if (key.startsWith(`${eventPrefix}${prefix}`)) {
        return `${eventPrefix}${key.slice(eventPrefix.length + prefix.length)}`;
      }
      return key;
    },
  };
}

/**
 * The first thing an id names for this key: `lookUp` is tried on each stored key in the order
 * of `candidates`, and null means "not that one" (missing, or out of the key's reach).
 */
export async function firstNamed<T>(
  ids: TenantIds,
  id: string,
  lookUp: (storedKey: string) => Promise<T | null>,
): Promise<T | null> {
  for (const key of ids.candidates(id)) {
    const found = await lookUp(key);
    if (found !== null) return found;
  }
  return null;
}

/** The caller's id is checked as sent, before a namespace lengthens it. */
function checked(id: string): string {
  const malformed = checkSessionId(id, chargingInputLimits.sessionIdLengthMax);
  if (malformed !== null) unwrap(malformed);
  return id;
}
