import { formatIsoInstant, type Cdr } from '@tollgate/core';
import { csvField, formatMoney } from '../http/convert.ts';
import type { ShowId } from './assurance-convert.ts';

/**
 * CDR export as CSV, streamed page by page (issue 20, CDR exchange). Three layouts:
 * - `csv`: Tollgate's own columns, all or the ones asked for (`columns=`);
 * - `cgrates`: the field names CGRateS uses for a rated CDR (CGRID, RunID, ToR, OriginID,
 *   RequestType, Tenant, Category, Account, Subject, Destination, SetupTime, AnswerTime, Usage
 *   as `<seconds>s`, Cost), so a CGRateS-side tool can load it;
 * - `astpp`: the columns of ASTPP's CDR table that Tollgate has (uniqueid, accountid,
 *   callerid, callednum, billseconds, disposition, callstart, debit, cost, pattern,
 *   reseller_id, reseller_cost, provider_id, provider_cost).
 * The CDR given is already the key's view (`cdrForKey`): levels above the key and the carrier
 * of another's root are gone, so no layout can show a supplier's cost.
 */
type Column = (cdr: Cdr, shown: ShowId) => string;

/** The last level the key sees: its own (or the root's, for the operator). */
const ownLevel = (cdr: Cdr) => cdr.levels.at(-1) ?? null;
const money = (value: bigint | undefined) => value === undefined ? '' : formatMoney(value as never);

export const tollgateColumns: Readonly<Record<string, Column>> = {
  id: (cdr) => cdr.id,
  session_id: (cdr, shown) => shown(cdr.sessionId),
  account_id: (cdr) => cdr.accountId,
  caller: (cdr) => cdr.caller,
  callee: (cdr) => cdr.callee,
  started_at: (cdr) => formatIsoInstant(cdr.startedAtMs),
  ended_at: (cdr) => formatIsoInstant(cdr.endedAtMs),
  used_seconds: (cdr) => String(cdr.usedSeconds),
  billed_seconds: (cdr) => String(cdr.billedSeconds),
  bundle_seconds: (cdr) => String(cdr.bundleSeconds),
  cost: (cdr) => formatMoney(cdr.costMicros),
  currency: (cdr) => cdr.currency,
  disposition: (cdr) => cdr.disposition,
  prefix: (cdr) => cdr.levels[0]?.prefix ?? '',
  own_account_id: (cdr) => ownLevel(cdr)?.accountId ?? '',
  own_cost: (cdr) => money(ownLevel(cdr)?.costMicros),
  carrier_id: (cdr, shown) => cdr.carrier === null ? '' : shown(cdr.carrier.carrierId),
  carrier_cost: (cdr) => money(cdr.carrier?.costMicros),
  carrier_currency: (cdr) => cdr.carrier?.currency ?? '',
};

const cgratesColumns: Readonly<Record<string, Column>> = {
  CGRID: (cdr) => cdr.id,
  RunID: () => '*default',
  ToR: () => '*voice',
  OriginID: (cdr, shown) => shown(cdr.sessionId),
  RequestType: (cdr) => cdr.disposition === 'event' ? '*rated' : '*prepaid',
  Tenant: (cdr) => cdr.levels.at(-1)?.accountId ?? '',
  Category: (cdr) => cdr.disposition === 'event' ? 'event' : 'call',
  Account: (cdr) => cdr.accountId,
  Subject: (cdr) => cdr.caller,
  Destination: (cdr) => cdr.callee,
  SetupTime: (cdr) => formatIsoInstant(cdr.startedAtMs),
  AnswerTime: (cdr) => formatIsoInstant(cdr.startedAtMs),
  Usage: (cdr) => `${cdr.usedSeconds}s`,
  Cost: (cdr) => formatMoney(cdr.costMicros),
};

/** `YYYY-MM-DD HH:MM:SS` in UTC, as ASTPP stores its call start. */
const astppInstant = (ms: number) => formatIsoInstant(ms).replace('T', ' ').slice(0, 19);

const astppColumns: Readonly<Record<string, Column>> = {
  uniqueid: (cdr, shown) => shown(cdr.sessionId),
  accountid: (cdr) => cdr.accountId,
  callerid: (cdr) => cdr.caller,
  callednum: (cdr) => cdr.callee,
  billseconds: (cdr) => String(cdr.billedSeconds),
  disposition: (cdr) => cdr.disposition === 'normal' ? 'NORMAL_CLEARING' : cdr.disposition,
  callstart: (cdr) => astppInstant(cdr.startedAtMs),
  debit: (cdr) => formatMoney(cdr.costMicros),
  cost: (cdr) => money(ownLevel(cdr)?.costMicros),
  pattern: (cdr) => cdr.levels[0]?.prefix === null || cdr.levels[0] === undefined ? ''
    : `^${cdr.levels[0].prefix}.*`,
  reseller_id: (cdr) => cdr.levels[1]?.accountId ?? '',
  reseller_cost: (cdr) => money(cdr.levels[1]?.costMicros),
  provider_id: (cdr, shown) => cdr.carrier === null ? '' : shown(cdr.carrier.carrierId),
  provider_cost: (cdr) => money(cdr.carrier?.costMicros),
};

export const cdrExportFormats = { csv: tollgateColumns, cgrates: cgratesColumns,
  astpp: astppColumns } as const;
export type CdrExportFormat = keyof typeof cdrExportFormats;

/** The columns of a layout, or the chosen ones of `csv`; an unknown name is an error. */
export function exportLayout(format: CdrExportFormat, chosen: readonly string[] | null):
  { ok: true; names: string[]; columns: Column[] } | { ok: false; message: string } {
  const table = cdrExportFormats[format];
  const names = [...(chosen ?? Object.keys(table))];
  const unknown = names.find((name) => table[name] === undefined);
  if (unknown !== undefined) {
    return { ok: false, message: `unknown column ${unknown.slice(0, 64)} for ${format}; ` +
      `known: ${Object.keys(table).join(', ')}` };
  }
  return { ok: true, names, columns: names.map((name) => table[name]!) };
}

/** Pages an export reads at most (with a page of 1,000 CDRs: 100 million rows). */
export const exportPagesMax = 100_000;

/**
 * The CSV text, one chunk per page: the header, then each page's lines as they are read, so
 * the export holds one page in memory whatever its size. `listPage` is called again only
 * when the consumer has taken the previous chunk (async generator + `Readable.from`).
 */
export async function* cdrCsvChunks(options: {
  names: readonly string[];
  columns: readonly Column[];
  shown: ShowId;
  view: (cdr: Cdr) => Cdr;
  listPage: (afterId: string | undefined) => Promise<Cdr[]>;
  pageSize: number;
}): AsyncGenerator<string> {
  yield `${options.names.join(',')}\n`;
  let afterId: string | undefined;
  for (let page = 0; page < exportPagesMax; page += 1) {
    const cdrs = await options.listPage(afterId);
    if (cdrs.length > 0) {
      yield cdrs.map((cdr) => {
        const seen = options.view(cdr);
        return `${options.columns.map((column) => csvField(column(seen, options.shown)))
          .join(',')}\n`;
      }).join('');
    }
    if (cdrs.length < options.pageSize) return;
    afterId = cdrs.at(-1)!.id;
  }
}
