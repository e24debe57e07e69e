import { billingSql } from '../billing/billing-sql.ts';

const marks = (count: number) => Array.from({ length: count }, () => '?').join(', ');

/** The DID store's statements, written once for both dialects (`?` placeholders). */
export const didSql = {
  insertDid: `INSERT INTO dids (operator_id, number, country, carrier_id, carrier_setup_micros,
    carrier_monthly_micros, state, quarantine_until_ms, destination_kind, destination_value,
    created_at_ms) VALUES (${marks(11)})`,
  insertHolding: `INSERT INTO did_holdings (id, operator_id, number, kind, depth, account_id,
    payee_account_id, currency, setup_micros, monthly_micros, inbound_deck_id, first_period,
    started_at_ms, ended_at_ms, setup_charged, charged_through_ms) VALUES (${marks(16)})`,
  findDid: 'SELECT * FROM dids WHERE operator_id = ? AND number = ?',
  findByNumber: 'SELECT * FROM dids WHERE number = ? ORDER BY operator_id',
  listDids: `SELECT * FROM dids WHERE operator_id = ? AND number > ? ORDER BY number LIMIT ?`,
  listHeld: `SELECT dids.* FROM dids JOIN did_holdings h ON h.operator_id = dids.operator_id
    AND h.number = dids.number AND h.ended_at_ms IS NULL AND h.kind = 'parent'
    WHERE dids.operator_id = ? AND h.account_id = ? AND dids.number > ?
    ORDER BY dids.number LIMIT ?`,
  activeHoldings: `SELECT * FROM did_holdings WHERE operator_id = ? AND number = ?
    AND ended_at_ms IS NULL ORDER BY depth`,
  activeAtDepth: `SELECT id FROM did_holdings WHERE operator_id = ? AND number = ?
    AND depth = ? AND ended_at_ms IS NULL`,
  setState: `UPDATE dids SET state = ?, quarantine_until_ms = ?
    WHERE operator_id = ? AND number = ?`,
  deleteHolding: 'DELETE FROM did_holdings WHERE id = ? AND ended_at_ms IS NULL',
  endHoldings: `UPDATE did_holdings SET ended_at_ms = ? WHERE operator_id = ? AND number = ?
    AND depth >= ? AND ended_at_ms IS NULL`,
  setDestination: `UPDATE dids SET destination_kind = ?, destination_value = ?
    WHERE operator_id = ? AND number = ?`,
  dueHoldings: `SELECT * FROM did_holdings WHERE ended_at_ms IS NULL
    AND (charged_through_ms <= ? OR setup_charged = 0) AND id > ? ORDER BY id LIMIT ?`,
  markSetupCharged: 'UPDATE did_holdings SET setup_charged = 1 WHERE id = ?',
  advanceCursor: `UPDATE did_holdings SET charged_through_ms = ?
    WHERE id = ? AND charged_through_ms < ?`,
  acquireLease: billingSql.acquireLease,
} as const;
