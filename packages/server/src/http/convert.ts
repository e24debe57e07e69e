import {
  bundleIdOf,
  formatIsoInstant,
  formatMicrosTrimmed,
  micros,
  parseIsoInstantMs,
  parseMicros,
  success,
  type Account,
  type AccountSettings,
  type AccountView,
  type BundleRecord,
  type Cdr,
  type CreateAccountInput,
  type EventAnswer,
  type GrantAnswer,
  type LiveSessionView,
  type Micros,
  type MoneyParseCode,
  type Problem,
  type RefusalAnswer,
  type RouteChoice,
  type Result,
  type TerminateAnswer,
} from '@tollgate/core';
import type { Static } from 'typebox';
import type { ApiKeyRecord } from '../auth/api-key-store.ts';
import type { DeckSummary, TimeBandsSource } from '../decks/deck-store.ts';
import type * as AccountSchemas from './schemas/account-schemas.ts';
import type * as BundleSchemas from './schemas/bundle-schemas.ts';
import type * as DeckSchemas from './schemas/deck-schemas.ts';
import type * as KeySchemas from './schemas/key-schemas.ts';
import type * as SessionSchemas from './schemas/session-schemas.ts';

/**
 * The edge between the API's words (snake_case, decimal strings, ISO instants) and the
 * domain's (camelCase, bigint micros, epoch ms). Nothing else in the HTTP layer converts, and
 * money never passes through a float here: parseMicros and formatMicrosTrimmed are exact.
 */

type ApiAccount = Static<typeof AccountSchemas.Account>;

const dayPattern = /^\d{4}-\d{2}-\d{2}$/;
const dayMs = 86_400_000;

/**
 * An ISO instant, or a day (`YYYY-MM-DD`, UTC) where a day is meant: its start, or with
 * `edge: 'end'` its end (the next day's start, for exclusive upper bounds such as `to`).
 */
export function parseInstantOrDayMs(text: string, edge: 'start' | 'end'):
  Result<number, 'invalid_instant'> {
  if (!dayPattern.test(text)) return parseIsoInstantMs(text);
  const start = parseIsoInstantMs(`${text}T00:00:00Z`);
  if (!start.ok) return start;
  return success(edge === 'start' ? start.value : start.value + dayMs);
}

/** Money out: all significant decimals, at least two ("10.00", "0.048"). */
export function formatMoney(amount: Micros): string {
  return formatMicrosTrimmed(amount, 2);
}

function formatNullableMoney(amount: Micros | null): string | null {
  return amount === null ? null : formatMoney(amount);
}

/** Money in: a decimal string to micros, exactly; the problem names the field. */
export function parseMoney(text: string, column: string): Result<Micros, MoneyParseCode> {
  const parsed = parseMicros(text);
  if (!parsed.ok) return { ...parsed, message: `${column}: ${parsed.message}`, column };
  return parsed;
}

/** Absent stays absent, null stays null (no limit), text becomes micros. */
function parseOptionalMoney(
  value: string | null | undefined,
  column: string,
): Result<Micros | null | undefined, MoneyParseCode> {
  if (value === undefined || value === null) return success(value);
  return parseMoney(value, column);
}

type MoneyFields = Pick<AccountSettings, 'creditLimitMicros' | 'dailyLimitMicros' |
  'monthlyLimitMicros'>;

function parseLimits(body: {
  credit_limit?: string | null;
  daily_limit?: string | null;
  monthly_limit?: string | null;
}): Result<Partial<MoneyFields>, MoneyParseCode> {
  const credit = parseOptionalMoney(body.credit_limit, 'credit_limit');
  if (!credit.ok) return credit;
  const daily = parseOptionalMoney(body.daily_limit, 'daily_limit');
  if (!daily.ok) return daily;
  const monthly = parseOptionalMoney(body.monthly_limit, 'monthly_limit');
  if (!monthly.ok) return monthly;
  return success({
    ...(credit.value === undefined ? {} : { creditLimitMicros: credit.value }),
    ...(daily.value === undefined ? {} : { dailyLimitMicros: daily.value }),
    ...(monthly.value === undefined ? {} : { monthlyLimitMicros: monthly.value }),
  });
}

export function fromApiCreateAccount(
  body: Static<typeof AccountSchemas.CreateAccountBody>,
  id: string,
): Result<CreateAccountInput, MoneyParseCode> {
  const limits = parseLimits(body);
  if (!limits.ok) return limits;
  return success({
    id,
    tier: body.tier,
    parentId: body.parent_id,
    name: body.name ?? body.id ?? id,
    currency: body.currency,
    mode: body.mode,
    rateDeckId: body.rate_deck_id,
    ...limits.value,
    ...(body.concurrent_calls_max === undefined ? {}
      : { concurrentCallsMax: body.concurrent_calls_max }),
    ...(body.time_zone === undefined ? {} : { timeZone: body.time_zone }),
  });
}

export function fromApiAccountPatch(
  body: Static<typeof AccountSchemas.PatchAccountBody>,
): Result<Partial<AccountSettings>, MoneyParseCode> {
  const limits = parseLimits(body);
  if (!limits.ok) return limits;
  return success({
    ...limits.value,
    ...(body.name === undefined ? {} : { name: body.name }),
    ...(body.mode === undefined ? {} : { mode: body.mode }),
    ...(body.concurrent_calls_max === undefined ? {}
      : { concurrentCallsMax: body.concurrent_calls_max }),
    ...(body.time_zone === undefined ? {} : { timeZone: body.time_zone }),
    ...(body.rate_deck_id === undefined ? {} : { rateDeckId: body.rate_deck_id }),
  });
}

export function toApiAccount(account: Account): ApiAccount {
  return {
    id: account.id,
    parent_id: account.parentId,
    tier: account.tier,
    name: account.name,
    currency: account.currency,
    mode: account.mode,
    state: account.state,
    rate_deck_id: account.rateDeckId,
    credit_limit: formatNullableMoney(account.creditLimitMicros),
    daily_limit: formatNullableMoney(account.dailyLimitMicros),
    monthly_limit: formatNullableMoney(account.monthlyLimitMicros),
    concurrent_calls_max: account.concurrentCallsMax,
    time_zone: account.timeZone,
    created_at: formatIsoInstant(account.createdAtMs),
    updated_at: formatIsoInstant(account.updatedAtMs),
  };
}

export function toApiAccountWithFunds(
  view: AccountView,
): Static<typeof AccountSchemas.AccountWithFunds> {
  return {
    ...toApiAccount(view.account),
    balance: formatMoney(view.postedMicros),
    reserved: formatMoney(view.pendingMicros),
    available: formatNullableMoney(view.funds.availableMicros),
    funds_constraint: view.funds.constraint,
    spent_today: formatMoney(view.spentTodayMicros),
    spent_month: formatMoney(view.spentMonthMicros),
    revenue: view.revenueBooks.map((book) => ({ currency: book.currency,
      balance: formatMoney(book.postedMicros) })),
  };
}

export function toApiGrant(answer: GrantAnswer): Static<typeof SessionSchemas.Grant> {
  return {
    status: 'granted',
    session_id: answer.sessionId,
    request_number: answer.requestNumber,
    granted_seconds: answer.grantedSeconds,
    final: answer.final,
    hangup_at: formatIsoInstant(answer.hangupAtMs),
    used_seconds: answer.usedSeconds,
    cost: formatMoney(answer.costMicros),
    currency: answer.currency,
    ...(answer.route === undefined ? {} : { route: toApiRouteChoice(answer.route) }),
    ...(answer.fallbacks === undefined ? {}
      : { fallbacks: answer.fallbacks.map(toApiRouteChoice) }),
  };
}

function toApiRouteChoice(route: RouteChoice): Static<typeof SessionSchemas.RouteChoice> {
  return { carrier_id: route.carrierId, gateway: route.gateway, prefix: route.prefix };
}

export function toApiTerminated(
  answer: TerminateAnswer,
): Static<typeof SessionSchemas.Terminated> {
  return {
    status: 'terminated',
    session_id: answer.sessionId,
    request_number: answer.requestNumber,
    cdr_id: answer.cdrId,
    used_seconds: answer.usedSeconds,
    billed_seconds: answer.billedSeconds,
    cost: formatMoney(answer.costMicros),
    currency: answer.currency,
  };
}

export function toApiCharged(answer: EventAnswer): Static<typeof SessionSchemas.Charged> {
  return {
    status: 'charged',
    event_id: answer.eventId,
    cdr_id: answer.cdrId,
    billed_seconds: answer.billedSeconds,
    cost: formatMoney(answer.costMicros),
    currency: answer.currency,
  };
}

/** What the problem body says, in the API's words. */
export interface ApiProblem {
  readonly status?: string;
  readonly code: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: string;
  readonly account_id?: string | null;
  readonly binding?: 'account' | 'upstream';
  readonly session_id?: string;
  readonly request_number?: number;
  readonly available?: string;
  readonly requested?: string;
  readonly errors?: ReadonlyArray<{ path: string; message: string }>;
}

/** A refusal is an answer: the switch reads `status`, tools read `code`. */
export function toApiRefusal(
  answer: RefusalAnswer,
  binding: 'account' | 'upstream' | null = null,
): ApiProblem {
  return { status: answer.status, code: answer.status, message: answer.message,
    session_id: answer.sessionId, request_number: answer.requestNumber,
    account_id: answer.accountId, ...(binding === null ? {} : { binding }) };
}

/** Domain problems may carry where (line, column) and whose (account, amounts). */
export interface DomainProblemDetails {
  readonly accountId?: string;
  readonly availableMicros?: Micros;
  readonly requestedMicros?: Micros;
}

export function toApiProblem(found: Problem & DomainProblemDetails): ApiProblem {
  return {
    code: found.code,
    message: found.message,
    ...(found.line === undefined ? {} : { line: found.line }),
    ...(found.column === undefined ? {} : { column: found.column }),
    ...(found.accountId === undefined ? {} : { account_id: found.accountId }),
    ...(found.availableMicros === undefined ? {}
      : { available: formatMoney(found.availableMicros) }),
    ...(found.requestedMicros === undefined ? {}
      : { requested: formatMoney(found.requestedMicros) }),
  };
}

export function toApiLiveSession(
  view: LiveSessionView,
): Static<typeof SessionSchemas.LiveSession> {
  return {
    session_id: view.sessionId,
    account_id: view.accountId,
    caller: view.caller,
    callee: view.callee,
    started_at: formatIsoInstant(view.startedAtMs),
    used_seconds: view.usedSeconds,
    granted_until_seconds: view.grantedUntilSeconds,
    hangup_at: formatIsoInstant(view.hangupAtMs),
  };
}

export function toApiCdr(cdr: Cdr): Static<typeof SessionSchemas.Cdr> {
  return {
    id: cdr.id,
    session_id: cdr.sessionId,
    account_id: cdr.accountId,
    caller: cdr.caller,
    callee: cdr.callee,
    started_at: formatIsoInstant(cdr.startedAtMs),
    ended_at: formatIsoInstant(cdr.endedAtMs),
    used_seconds: cdr.usedSeconds,
    billed_seconds: cdr.billedSeconds,
    bundle_seconds: cdr.bundleSeconds,
    cost: formatMoney(cdr.costMicros),
    currency: cdr.currency,
    disposition: cdr.disposition,
    carrier: cdr.carrier === null ? null : { carrier_id: cdr.carrier.carrierId,
      prefix: cdr.carrier.prefix, cost: formatMoney(cdr.carrier.costMicros),
      currency: cdr.carrier.currency, billed_seconds: cdr.carrier.billedSeconds },
    levels: cdr.levels.map((level) => ({ account_id: level.accountId, deck_id: level.deckId,
      prefix: level.prefix, currency: level.currency, cost: formatMoney(level.costMicros),
      billed_seconds: level.billedSeconds })),
  };
}

export const cdrCsvColumns = ['id', 'session_id', 'account_id', 'caller', 'callee',
  'started_at', 'ended_at', 'used_seconds', 'billed_seconds', 'bundle_seconds', 'cost',
  'currency', 'disposition'] as const;

/**
 * The CSV's columns about the caller's own account (`cdrOwnView`): what it sold the call for,
 * what the call cost it, and the difference.
 */
export const cdrCsvOwnColumns = ['own_price', 'own_price_currency', 'own_cost',
  'own_cost_currency', 'own_margin'] as const;

/**
 * The caller's own figures of a CDR as the caller may see it (`cdrForKey`: levels up to the
 * key's own account, the carrier only for the root and the operator). Its own level is the
 * last one shown: `own_cost` is what it paid its parent, or, for a root whose call was routed,
 * what the carrier charges; `own_price` is what the level below paid it (empty for the
 * customer, who sells nothing); `own_margin` is price less cost, exact, when both are in one
 * currency (empty otherwise: a margin across currencies would need a rate of its own choice).
 */
export function cdrOwnView(cdr: Cdr): Record<(typeof cdrCsvOwnColumns)[number], string> {
  const own = cdr.levels.at(-1);
  const below = cdr.levels.length >= 2 ? cdr.levels.at(-2) : undefined;
  const cost = cdr.carrier ?? own;
  const margin = below !== undefined && cost !== undefined && below.currency === cost.currency
    ? formatMoney(micros(below.costMicros - cost.costMicros)) : '';
  return { own_price: below === undefined ? '' : formatMoney(below.costMicros),
    own_price_currency: below?.currency ?? '',
    own_cost: cost === undefined ? '' : formatMoney(cost.costMicros),
    own_cost_currency: cost?.currency ?? '', own_margin: margin };
}

/** RFC 4180: quote a field that holds a comma, a quote or a line break; double the quotes. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * One CDR, as the caller sees it, as a CSV line: `cdrCsvColumns`, then `cdrCsvOwnColumns`
 * (the levels themselves are in the JSON form only).
 */
export function toCdrCsvLine(cdr: Cdr): string {
  const api = toApiCdr(cdr);
  const own = cdrOwnView(cdr);
  return [...cdrCsvColumns.map((column) => csvField(String(api[column]))),
    ...cdrCsvOwnColumns.map((column) => csvField(own[column]))].join(',');
}

export function toApiDeck(summary: DeckSummary, memoryBytes: number | null):
  Static<typeof DeckSchemas.RateDeck> {
  return {
    id: summary.id,
    name: summary.name,
    rows: summary.rowCount,
    currency: summary.settings.currency,
    decimals: summary.settings.decimals,
    rounding: summary.settings.rounding,
    zone: summary.settings.zone,
    bands_id: summary.bandsId,
    owner_id: summary.ownerAccountId,
    created_at: formatIsoInstant(summary.createdAtMs),
    memory_bytes: memoryBytes,
  };
}

export function toApiTimeBands(source: TimeBandsSource): Static<typeof DeckSchemas.TimeBands> {
  return { id: source.id, name: source.name, bands: source.bandCount,
    owner_id: source.ownerAccountId, created_at: formatIsoInstant(source.createdAtMs) };
}

const nullableInstant = (ms: number | null) => ms === null ? null : formatIsoInstant(ms);

export function toApiKey(record: ApiKeyRecord): Static<typeof KeySchemas.ApiKey> {
  return { id: record.id, account_id: record.accountId, label: record.label,
    scope: record.scope, created_at: formatIsoInstant(record.createdAtMs),
    expires_at: nullableInstant(record.expiresAtMs),
    revoked_at: nullableInstant(record.revokedAtMs),
    last_used_at: nullableInstant(record.lastUsedAtMs) };
}

export function toApiBundle(bundle: BundleRecord): Static<typeof BundleSchemas.Bundle> {
  return { id: bundleIdOf(bundle), account_id: bundle.accountId, prefixes: [...bundle.prefixes],
    time_band: bundle.timeBand, seconds_remaining: bundle.secondsRemaining,
    valid_until: bundle.validUntilMs === null ? null : formatIsoInstant(bundle.validUntilMs),
    created_at: formatIsoInstant(bundle.createdAtMs) };
}
