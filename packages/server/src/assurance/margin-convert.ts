import { marginMicrosOf, type MarginReport, type MarginRow } from '@tollgate/core';
import type { Static } from 'typebox';
import { formatIsoInstant } from '@tollgate/core';
import { csvField, formatMoney } from '../http/convert.ts';
import type { ShowId } from './assurance-convert.ts';
import type { MarginView } from './assurance-schemas.ts';

type MarginLine = Static<typeof MarginView>['rows'][number];

/** `numerator / denominator` with `decimals` digits, rounded down: integers only. */
export function ratioText(numerator: number, denominator: number, decimals: number): string {
  const scale = 10 ** decimals;
  const scaled = Math.floor((numerator * scale) / denominator);
  const whole = Math.floor(scaled / scale);
  return decimals === 0 ? String(whole)
    : `${whole}.${String(scaled % scale).padStart(decimals, '0')}`;
}

export function toApiMarginLine(row: MarginRow, shown: ShowId): MarginLine {
  const margin = marginMicrosOf(row);
  return {
    prefix: row.prefix,
    carrier_id: row.carrierId === null ? null : shown(row.carrierId),
    calls: row.calls,
    answered: row.answered,
    minutes: ratioText(row.usedSeconds, 60, 2),
    asr: row.calls === 0 ? null : ratioText(row.answered * 100, row.calls, 2),
    acd: row.answered === 0 ? null : ratioText(row.usedSeconds, row.answered, 1),
    revenue_currency: row.revenueCurrency,
    revenue: formatMoney(row.revenueMicros),
    cost_currency: row.costCurrency,
    cost: formatMoney(row.costMicros),
    margin: margin === null ? null : formatMoney(margin),
  };
}

export function toApiMargins(report: MarginReport, shown: ShowId): Static<typeof MarginView> {
  return { account_id: report.accountId, from: formatIsoInstant(report.fromMs),
    to: formatIsoInstant(report.toMs),
    rows: report.rows.map((row) => toApiMarginLine(row, shown)),
    totals: report.totals.map((row) => toApiMarginLine(row, shown)) };
}

export const marginCsvColumns = ['prefix', 'carrier_id', 'calls', 'answered', 'minutes', 'asr',
  'acd', 'revenue_currency', 'revenue', 'cost_currency', 'cost', 'margin'] as const;

/** The rows as CSV lines, header first; empty fields for nulls. */
export function marginCsvLines(view: Static<typeof MarginView>): string[] {
  return [marginCsvColumns.join(','), ...view.rows.map((line) =>
    marginCsvColumns.map((column) => csvField(String(line[column] ?? ''))).join(','))];
}
