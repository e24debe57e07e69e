import { assert } from '@tollgate/core';

/**
 * The audit trail's words (issue 14): who changed what, when, before and after. Pure: plain
 * data in, plain data out; the recorder (`audit-trail.ts`) reads the clock and the chain.
 */

/** Every change the API records, one stable snake_case code each, never reused. */
export const auditActions = [
  'account_created', 'account_updated', 'account_suspended', 'account_activated',
  'topup_posted', 'api_key_created', 'api_key_revoked', 'deck_uploaded', 'time_bands_uploaded',
  'bundle_created', 'carrier_created', 'carrier_updated', 'route_rule_put', 'route_rule_deleted',
  'routing_policy_put', 'fraud_config_put', 'fraud_config_deleted', 'risk_list_put',
  'risk_list_deleted', 'fraud_measure_released', 'session_killed', 'subscriber_identity_put',
  'subscriber_identity_deleted', 'billing_settings_put', 'tax_profile_put', 'period_closed',
  'payment_recorded', 'invoice_credited', 'exchange_rate_set',
] as const;
export type AuditAction = (typeof auditActions)[number];

export const auditSubjectKinds = ['account', 'transfer', 'api_key', 'rate_deck', 'time_bands',
  'bundle', 'carrier', 'route_rule', 'routing_policy', 'fraud_config', 'risk_list',
  'fraud_measure', 'session', 'subscriber_identity', 'billing_settings', 'tax_profile',
  'invoice', 'payment', 'exchange_rate'] as const;
export type AuditSubjectKind = (typeof auditSubjectKinds)[number];

/** What an action changes: the subject's kind follows from the action. */
const subjectKindOfAction: Readonly<Record<AuditAction, AuditSubjectKind>> = {
  account_created: 'account', account_updated: 'account', account_suspended: 'account',
  account_activated: 'account', topup_posted: 'transfer', api_key_created: 'api_key',
  api_key_revoked: 'api_key', deck_uploaded: 'rate_deck', time_bands_uploaded: 'time_bands',
  bundle_created: 'bundle', carrier_created: 'carrier', carrier_updated: 'carrier',
  route_rule_put: 'route_rule', route_rule_deleted: 'route_rule',
  routing_policy_put: 'routing_policy', fraud_config_put: 'fraud_config',
  fraud_config_deleted: 'fraud_config', risk_list_put: 'risk_list',
  risk_list_deleted: 'risk_list', fraud_measure_released: 'fraud_measure',
  session_killed: 'session', subscriber_identity_put: 'subscriber_identity',
  subscriber_identity_deleted: 'subscriber_identity', billing_settings_put: 'billing_settings',
  tax_profile_put: 'tax_profile', period_closed: 'invoice', payment_recorded: 'payment',
  invoice_credited: 'invoice', exchange_rate_set: 'exchange_rate',
};

export function subjectKindOf(action: AuditAction): AuditSubjectKind {
  return subjectKindOfAction[action];
}

/** Who made the change: the operator key, or an account's key. */
export type AuditActor =
  | { readonly kind: 'operator' }
  | { readonly kind: 'key'; readonly keyId: string; readonly accountId: string };

/** A JSON document as stored: what the API showed of the subject. */
export type AuditJson = null | boolean | number | string | readonly AuditJson[]
  | { readonly [field: string]: AuditJson };

export interface AuditEntry {
  /** `aud_<13-digit ms>_<6-digit sequence>_<random>`: sorts by time, then by process order. */
  readonly id: string;
  readonly atMs: number;
  readonly actor: AuditActor;
  readonly action: AuditAction;
  readonly subject: { readonly kind: AuditSubjectKind; readonly id: string };
  /** The account whose tree the change is in; null for the operator's own things. */
  readonly accountId: string | null;
  /** "/root/.../account/": the account's chain when the change was made; "/" without one. */
  readonly scopePath: string;
  readonly before: AuditJson;
  readonly after: AuditJson;
  /** The HTTP request id, as in the server's log lines. */
  readonly requestId: string;
}

export const auditLimits = {
  /** A before or after document larger than this is stored as a stub that says so. */
  documentBytesMax: 65_536,
  /** API views are a few levels deep; a deeper document is a bug (and is not walked). */
  documentDepthMax: 16,
  /** Fields of one object level walked for secrets; a wider one is a bug. */
  documentFieldsMax: 1_000,
  /** Within one millisecond of one process; ids stay unique through the random part. */
  sequenceModulo: 1_000_000,
  /** 13 digits of epoch ms: until the year 2286. */
  atMsMax: 9_999_999_999_999,
} as const;

/**
 * Field names that hold secrets. An API key entry names the key's id and label; its secret is
 * shown once to its creator and its hash stays in `api_keys`: neither belongs in a log that a
 * whole tree can read.
 */
const secretFieldNames: ReadonlySet<string> = new Set(['key', 'key_hash', 'keyHash', 'secret',
  'password', 'token', 'admin_key']);

/** The scope path of a chain given self first, root last (as the ledger returns it). */
export function scopePathOf(chainIds: readonly string[]): string {
  assert(chainIds.length > 0, 'a chain holds at least the account itself');
  assert(chainIds.every((id) => id.length > 0 && !id.includes('/')),
    'account ids never contain a slash');
  return `/${[...chainIds].reverse().join('/')}/`;
}

/** Installation-wide changes (an operator's deck or risk list) belong to no tree. */
export const noScopePath = '/';

/**
 * The half-open range of scope paths in the subtree of the account whose path is given:
 * every path that starts with it. '/' is followed by '0' in byte order, so a path P/ has all
 * its extensions in [P/, P0): an index range, where a LIKE would need a pattern operator class.
 */
export function subtreeRangeOf(scopePath: string): { readonly from: string; readonly to: string } {
  assert(scopePath.length > 1 && scopePath.startsWith('/') && scopePath.endsWith('/'),
    'a subtree is the scope path of an account');
  return { from: scopePath, to: `${scopePath.slice(0, -1)}0` };
}

export function auditIdOf(input: { atMs: number; sequence: number; random: string }): string {
  assert(Number.isSafeInteger(input.atMs) && input.atMs >= 0 &&
    input.atMs <= auditLimits.atMsMax, 'the instant fits 13 digits');
  assert(/^[0-9a-f]{8,32}$/.test(input.random), 'the random part is hex');
  const sequence = input.sequence % auditLimits.sequenceModulo;
  return `aud_${String(input.atMs).padStart(13, '0')}_${String(sequence).padStart(6, '0')}_` +
    input.random;
}

/**
 * A view as stored: a JSON round trip (drops undefined fields, refuses bigint, which the API
 * never shows), checked for secrets, and cut to a stub above `documentBytesMax`.
 */
export function auditDocumentOf(view: unknown): AuditJson {
  if (view === null || view === undefined) return null;
  const text = JSON.stringify(view);
  const document = JSON.parse(text) as AuditJson;
  assertNoSecrets(document, 0);
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > auditLimits.documentBytesMax) return { truncated: true, bytes };
  return document;
}

function assertNoSecrets(document: AuditJson, depth: number): void {
  if (document === null || typeof document !== 'object') return;
  assert(depth < auditLimits.documentDepthMax, 'audit documents are API views, a few levels deep');
  const entries = Array.isArray(document) ? document.map((value) => ['', value] as const)
    : Object.entries(document);
  assert(entries.length <= auditLimits.documentFieldsMax, 'audit documents are API views');
  for (const [field, value] of entries) {
    assert(!secretFieldNames.has(field), `an audit document holds no secret (field ${field})`);
    assertNoSecrets(value, depth + 1);
  }
}

/**
 * Whether the actor of an entry is at or below the viewing account: the actor always has the
 * subject's account in reach, so it is on the entry's scope path; the viewer sees the keys of
 * its own subtree, and the operator and the levels above it only as "upstream" (like a CDR's
 * levels above the key, tenant-view.ts).
 */
export function actorVisibleTo(entry: Pick<AuditEntry, 'actor' | 'scopePath'>,
  viewerAccountId: string): boolean {
  if (entry.actor.kind === 'operator') return false;
  const path = entry.scopePath.split('/');
  const viewerAt = path.indexOf(viewerAccountId);
  return viewerAt > 0 && path.indexOf(entry.actor.accountId) >= viewerAt;
}
