import { ManualClock, success } from '@tollgate/core';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/audit/audit-entry.ts';
import type { AuditStore } from '../../src/audit/audit-store.ts';
import { createAuditTrail, type AuditRequest } from '../../src/audit/audit-trail.ts';

function trailOver(store: AuditStore) {
  const ledger = { getAccountChain: async (id: string) => success([{ id }, { id: 'op' }]) };
  return createAuditTrail({ store, clock: new ManualClock(1_000),
    ledger: ledger as unknown as Parameters<typeof createAuditTrail>[0]['ledger'] });
}

function requestLogging(errors: unknown[]): AuditRequest {
  return { id: 'req-7', principal: { kind: 'account', accountId: 'op', keyId: 'key_1' },
    log: { error: (...args: unknown[]) => errors.push(args) } as AuditRequest['log'] };
}

describe('audit trail (recorder)', () => {
  it('appends one entry with the actor, the chain as scope, and the request id', async () => {
    const appended: AuditEntry[] = [];
    const trail = trailOver({ append: async (entry) => void appended.push(entry),
      list: async () => [] });
    const errors: unknown[] = [];
    await trail.record(requestLogging(errors), { action: 'account_updated', subjectId: 'cu1',
      accountId: 'cu1', before: { name: 'a' }, after: { name: 'b' } });
    expect(errors).toEqual([]);
    expect(appended).toMatchObject([{ atMs: 1_000, action: 'account_updated',
      actor: { kind: 'key', keyId: 'key_1', accountId: 'op' },
      subject: { kind: 'account', id: 'cu1' }, accountId: 'cu1', scopePath: '/op/cu1/',
      before: { name: 'a' }, after: { name: 'b' }, requestId: 'req-7' }]);
  });

  it('never throws when the entry cannot be stored: it logs the loss at error level', async () => {
    const trail = trailOver({ append: async () => {
      throw new Error('disk full');
    }, list: async () => [] });
    const errors: unknown[] = [];
    await expect(trail.record(requestLogging(errors), { action: 'topup_posted',
      subjectId: '12', accountId: 'cu1', before: null, after: { amount: '5.00' } }))
      .resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(errors[0])).toContain('audit_entry_lost');
    expect(JSON.stringify(errors[0])).toContain('"amount":"5.00"');
  });

  it('keeps a secret out of both the log and the store (a bug, logged)', async () => {
    const appended: AuditEntry[] = [];
    const trail = trailOver({ append: async (entry) => void appended.push(entry),
      list: async () => [] });
    const errors: unknown[] = [];
    await trail.record(requestLogging(errors), { action: 'api_key_created', subjectId: 'key_2',
      accountId: 'cu1', before: null, after: { id: 'key_2', key: 'tg_secret' } });
    expect(appended).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(errors[0])).not.toContain('tg_secret');
  });
});
