import {
  createLedgerService,
  defaultFraudConfig,
  ManualClock,
  micros,
  type FraudAlert,
  type FraudMeasure,
  type FraudStore,
} from '@tollgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryStore } from '../../src/fraud/delivery-store.ts';
import { postgresFraudStores, sqliteFraudStores } from '../../src/fraud/fraud-stores.ts';
import { createPostgresLedgerStore } from '../../src/storage/postgres/postgres-ledger-store.ts';
import { createSqliteLedgerStore } from '../../src/storage/sqlite/sqlite-ledger-store.ts';
import { openTempPostgresLedger } from '../storage/postgres-fixture.ts';
import { openTempSqliteLedger } from '../storage/sqlite-fixture.ts';

// One contract for the fraud store on both dialects; PostgreSQL fails (never skips) when down.
const kinds = ['sqlite', 'postgres'] as const;

function alert(id: string, overrides: Partial<FraudAlert> = {}): FraudAlert {
  return { id, accountId: 'cu_1', rootAccountId: 'op', scopePath: '/op/rs/cu_1/',
    ruleId: 'spend_velocity', action: 'alert', destination: '44', message: 'spent 1.00',
    details: { spent: '1.00' }, measureId: null, dedupeKey: null, createdAtMs: 1_000,
    ...overrides };
}

function measure(id: string, overrides: Partial<FraudMeasure> = {}): FraudMeasure {
  return { id, accountId: 'cu_1', scopePath: '/op/rs/cu_1/', kind: 'suspend', prefix: null,
    ruleId: 'destination_risk', alertId: 'fa_1', createdAtMs: 1_000, expiresAtMs: 61_000,
    suspendedInLedger: true, releasedAtMs: null, releasedBy: null, ...overrides };
}

for (const kind of kinds) {
  describe(`fraud store contract on ${kind}`, () => {
    let store: FraudStore;
    let deliveries: DeliveryStore;
    let close: () => Promise<void>;
    beforeAll(async () => {
      const clock = new ManualClock(1_000);
      if (kind === 'sqlite') {
        const handle = await openTempSqliteLedger();
        ({ fraud: store, deliveries } = sqliteFraudStores(handle.database));
        close = handle.close;
        await seedAccounts(createLedgerService({ store: createSqliteLedgerStore(handle.database),
          clock }));
      } else {
        const handle = await openTempPostgresLedger('fraudstore');
        ({ fraud: store, deliveries } = postgresFraudStores(handle.database));
        close = handle.close;
        await seedAccounts(createLedgerService({
          store: createPostgresLedgerStore(handle.database), clock }));
      }
    });
    afterAll(async () => {
      await close?.();
    });

    it('keeps configs with exact money, by account, and deletes them', async () => {
      const config = { ...defaultFraudConfig, spendVelocity: {
        tenMinutesMicrosMax: micros(9_007_199_254_740_993n), hourMicrosMax: null,
        dayMicrosMax: micros(1n), action: 'suspend' as const } };
      await store.saveConfig('rs', config, 5);
      await store.saveConfig('cu_1', defaultFraudConfig, 5);
      await store.saveConfig('rs', config, 6);
      const rows = await store.listConfigs('', 10);
      expect(rows.map((row) => row.accountId)).toEqual(['cu_1', 'rs']);
      expect(rows[1]!.config).toEqual(config);
      expect(await store.listConfigs('cu_1', 10)).toHaveLength(1);
      expect(await store.deleteConfig('cu_1')).toBe(true);
      expect(await store.deleteConfig('cu_1')).toBe(false);
    });

    it('upserts and deletes risk lists', async () => {
      const list = { id: 'irsf', ownerAccountId: null, name: 'IRSF', prefixes: ['88213', '881'],
        action: 'suspend' as const, callsThreshold: 3, windowMs: 600_000, updatedAtMs: 7 };
      await store.saveRiskList(list);
      await store.saveRiskList({ ...list, name: 'IRSF 2', ownerAccountId: 'rs' });
      expect(await store.listRiskLists()).toEqual([{ ...list, name: 'IRSF 2',
        ownerAccountId: 'rs' }]);
      expect(await store.deleteRiskList('irsf')).toBe(true);
      expect(await store.deleteRiskList('irsf')).toBe(false);
    });

    it('stores alerts once per dedupe key and lists them by subtree and page', async () => {
      expect(await store.insertAlert(alert('fa_1'))).toBe(true);
      expect(await store.insertAlert(alert('fa_2', { dedupeKey: 'credit:cu_1:2026-11:80' })))
        .toBe(true);
      expect(await store.insertAlert(alert('fa_3', { dedupeKey: 'credit:cu_1:2026-11:80' })))
        .toBe(false);
      // cu1 (no underscore) must not match the scope of cu_1's LIKE pattern, nor the reverse.
      expect(await store.insertAlert(alert('fa_4', { accountId: 'cux1',
        scopePath: '/op/other/cux1/' }))).toBe(true);
      const page = await store.listAlerts({ scopeAccountId: 'rs', limit: 1 });
      expect(page.map((found) => found.id)).toEqual(['fa_1']);
      expect(page[0]).toEqual(alert('fa_1'));
      const next = await store.listAlerts({ scopeAccountId: 'rs', afterId: 'fa_1', limit: 10 });
      expect(next.map((found) => found.id)).toEqual(['fa_2']);
      expect((await store.listAlerts({ scopeAccountId: 'cu_1', limit: 10 })).length).toBe(2);
      expect((await store.listAlerts({ scopeAccountId: 'op', limit: 10 })).length).toBe(3);
      expect(await store.listAlerts({ scopeAccountId: 'cu1', limit: 10 })).toEqual([]);
      expect((await store.listAlerts({ scopeAccountId: 'op', accountId: 'cux1', limit: 10 }))
        .map((found) => found.id)).toEqual(['fa_4']);
    });

    it('releases a measure once and lists the ones in force', async () => {
      await store.insertMeasure(measure('fm_1'));
      await store.insertMeasure(measure('fm_2', { kind: 'block_destination', prefix: '881',
        expiresAtMs: null, suspendedInLedger: false }));
      expect(await store.findMeasure('fm_2')).toEqual(measure('fm_2', {
        kind: 'block_destination', prefix: '881', expiresAtMs: null, suspendedInLedger: false }));
      const released = await store.releaseMeasure('fm_1', 9_000, 'manual');
      expect(released).toEqual(measure('fm_1', { releasedAtMs: 9_000, releasedBy: 'manual' }));
      expect(await store.releaseMeasure('fm_1', 9_500, 'cool_down')).toBeNull();
      expect(await store.releaseMeasure('fm_9', 9_500, 'cool_down')).toBeNull();
      const active = await store.listMeasures({ scopeAccountId: null, activeOnly: true,
        limit: 10 });
      expect(active.map((found) => found.id)).toEqual(['fm_2']);
      expect((await store.listMeasures({ scopeAccountId: 'rs', activeOnly: false, limit: 10 }))
        .map((found) => found.id)).toEqual(['fm_1', 'fm_2']);
      expect(await store.listMeasures({ scopeAccountId: 'other', activeOnly: false,
        limit: 10 })).toEqual([]);
    });

    it('saves and pages profile snapshots', async () => {
      await store.saveProfiles([{ accountId: 'a', profileJson: '{"v":1}', savedAtMs: 1 },
        { accountId: 'b', profileJson: '{"v":2}', savedAtMs: 1 }]);
      await store.saveProfiles([{ accountId: 'a', profileJson: '{"v":3}', savedAtMs: 2 }]);
      expect(await store.listProfiles('', 1)).toEqual([{ accountId: 'a', profileJson: '{"v":3}',
        savedAtMs: 2 }]);
      expect((await store.listProfiles('a', 10)).map((row) => row.accountId)).toEqual(['b']);
    });

    it('keeps the delivery state of each alert per target', async () => {
      await deliveries.enqueue('fa_1', ['webhook', 'nats'], 100);
      await deliveries.enqueue('fa_1', ['webhook'], 200);
      const due = await deliveries.due(100, 10);
      expect(due.map((entry) => [entry.alert.id, entry.target, entry.attempts])).toEqual([
        ['fa_1', 'nats', 0], ['fa_1', 'webhook', 0]]);
      await deliveries.markFailedAttempt({ alertId: 'fa_1', target: 'webhook', attempts: 1,
        nextAttemptAtMs: 1_100, error: 'webhook answered 503', nowMs: 100 });
      await deliveries.markDelivered('fa_1', 'nats', 1, 100);
      expect(await deliveries.due(1_099, 10)).toEqual([]);
      expect((await deliveries.due(1_100, 10)).map((entry) => entry.attempts)).toEqual([1]);
      await deliveries.markFailedAttempt({ alertId: 'fa_1', target: 'webhook', attempts: 2,
        nextAttemptAtMs: null, error: 'refused', nowMs: 1_100 });
      expect(await deliveries.due(10_000_000, 10)).toEqual([]);
      expect(await deliveries.list('fa_1')).toEqual([
        { alertId: 'fa_1', target: 'nats', status: 'delivered', attempts: 1,
          nextAttemptAtMs: 100, lastError: null },
        { alertId: 'fa_1', target: 'webhook', status: 'failed', attempts: 2,
          nextAttemptAtMs: 1_100, lastError: 'refused' }]);
    });
  });
}

async function seedAccounts(ledger: ReturnType<typeof createLedgerService>) {
  for (const [id, tier, parentId] of [['op', 'super_admin', null], ['rs', 'admin', 'op'],
    ['other', 'admin', 'op'], ['cu_1', 'customer', 'rs']] as const) {
    const created = await ledger.createAccount({ id, tier, parentId, name: id,
      currency: 'USD' });
    if (!created.ok) throw new Error(created.message);
  }
}
