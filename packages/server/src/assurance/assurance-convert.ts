import { formatIsoInstant, micros, type ReconcileReport } from '@tollgate/core';
import type { Static } from 'typebox';
import { formatMoney } from '../http/convert.ts';
import type { ReconciliationView } from './assurance-schemas.ts';

/** How a tenant-chosen id (session, carrier) is shown to the key that reads the report. */
export type ShowId = (storedId: string) => string;

export function toApiReconciliation(report: ReconcileReport, shown: ShowId):
  Static<typeof ReconciliationView> {
  const difference = (expected: bigint, actual: bigint) => formatMoney(micros(actual - expected));
  return {
    account_id: report.scopeAccountId,
    from: formatIsoInstant(report.fromMs),
    to: formatIsoInstant(report.toMs),
    ok: report.ok,
    finding_count: report.findingCount,
    accounts_checked: report.accountsChecked,
    cdrs_checked: report.cdrsChecked,
    transfers_checked: report.transfersChecked,
    live_sessions_checked: report.liveSessionsChecked,
    levels: report.levels.map((level) => ({ account_id: level.accountId,
      currency: level.currency, calls: level.calls, rated: formatMoney(level.cdrMicros),
      charged: formatMoney(level.ledgerMicros),
      difference: difference(level.cdrMicros, level.ledgerMicros) })),
    carriers: report.carriers.map((carrier) => ({ carrier_id: shown(carrier.carrierId),
      currency: carrier.currency, calls: carrier.calls, rated: formatMoney(carrier.cdrMicros),
      accrued: formatMoney(carrier.accruedMicros),
      difference: difference(carrier.cdrMicros, carrier.accruedMicros) })),
    journal_net: [...report.journalNetByCurrency].map(([currency, net]) =>
      ({ currency, net: formatMoney(net) })),
    findings: report.findings.map((finding) => ({ kind: finding.kind,
      account_id: finding.accountId,
      session_id: finding.sessionId === null ? null : shown(finding.sessionId),
      carrier_id: finding.carrierId === null ? null : shown(finding.carrierId),
      currency: finding.currency, expected: formatMoney(finding.expectedMicros),
      actual: formatMoney(finding.actualMicros),
      difference: difference(finding.expectedMicros, finding.actualMicros),
      transfer_ids: finding.transferIds.map(String) })),
  };
}
