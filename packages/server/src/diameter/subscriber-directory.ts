import { subscriptionIdTypes } from './diameter-constants.ts';
import type { SubscriptionId } from './ccr-parse.ts';

/** The kinds of identity a Subscription-Id carries, as stored (snake_case). */
export const identityKinds = ['e164', 'imsi', 'sip_uri', 'nai', 'private'] as const;
export type IdentityKind = (typeof identityKinds)[number];

export interface SubscriberIdentity {
  readonly kind: IdentityKind;
  /** Normalized: E.164 digits without '+', `sip:user@host` lower-cased host, no port. */
  readonly identity: string;
}

/**
 * An identity maps to an account that is charged online, or is known but not credit
 * controlled (answered 4011: the client lets the service run and stops asking).
 */
export type SubscriberMatch =
  | { readonly kind: 'account'; readonly accountId: string }
  | { readonly kind: 'not_applicable' };

/** The port the Diameter front end looks subscribers up through (a table, in production). */
export interface SubscriberDirectory {
  find(identity: SubscriberIdentity): Promise<SubscriberMatch | null>;
}

const kindByType = new Map<number, IdentityKind>([
  [subscriptionIdTypes.e164, 'e164'],
  [subscriptionIdTypes.imsi, 'imsi'],
  [subscriptionIdTypes.sipUri, 'sip_uri'],
  [subscriptionIdTypes.nai, 'nai'],
  [subscriptionIdTypes.private, 'private'],
]);

/** `sip:Alice@Example.COM:5060;transport=udp` -> `sip:Alice@example.com`. */
function normalizeSipUri(text: string): string | null {
  const match = /^(?:sips?:)?([^@;?]+)@([^:;?>]+)/i.exec(text.trim().replace(/^<|>$/g, ''));
  if (match === null) return null;
  return `sip:${match[1]}@${match[2]!.toLowerCase()}`;
}

function normalizeE164(text: string): string | null {
  const digits = text.trim().replace(/^tel:/i, '').replace(/^\+/, '').split(';', 1)[0] ?? '';
  return /^\d{1,32}$/.test(digits) ? digits : null;
}

/** One identity as the table stores it, or null when the text cannot be one of that kind. */
export function normalizeIdentity(kind: IdentityKind, text: string): SubscriberIdentity | null {
  if (text.length === 0 || text.length > 256) return null;
  const identity = kind === 'e164' ? normalizeE164(text)
    : kind === 'sip_uri' ? normalizeSipUri(text) : text.trim();
  return identity === null || identity === '' ? null : { kind, identity };
}

/**
 * The identities to try for a CCR's Subscription-Ids, in order: each as sent (normalized),
 * then the digits of a SIP URI whose user part is a phone number, as E.164.
 */
export function candidateIdentities(ids: readonly SubscriptionId[]): SubscriberIdentity[] {
  const candidates: SubscriberIdentity[] = [];
  for (const id of ids) {
    const kind = kindByType.get(id.type);
    if (kind === undefined) continue;
    const normalized = normalizeIdentity(kind, id.data);
    if (normalized !== null) candidates.push(normalized);
    if (kind === 'sip_uri' && normalized !== null) {
      const user = normalized.identity.slice(4, normalized.identity.indexOf('@'));
      const digits = normalizeE164(user);
      if (digits !== null) candidates.push({ kind: 'e164', identity: digits });
    }
  }
  const seen = new Set<string>();
  return candidates.filter((candidate) => {
    const key = `${candidate.kind}:${candidate.identity}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The first candidate the directory knows. */
export async function resolveSubscriber(
  directory: SubscriberDirectory,
  ids: readonly SubscriptionId[],
): Promise<SubscriberMatch | null> {
  for (const candidate of candidateIdentities(ids)) {
    const match = await directory.find(candidate);
    if (match !== null) return match;
  }
  return null;
}
