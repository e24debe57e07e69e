import { describe, expect, it } from 'vitest';
import {
  actorVisibleTo,
  auditDocumentOf,
  auditIdOf,
  auditLimits,
  scopePathOf,
  subtreeRangeOf,
} from '../../src/audit/audit-entry.ts';

describe('audit entry (pure)', () => {
  it('writes a chain root first, and a subtree as the range of paths that extend it', () => {
    const path = scopePathOf(['cu1', 'rs', 'op']);
    expect(path).toBe('/op/rs/cu1/');
    const range = subtreeRangeOf('/op/rs/');
    const inRange = (candidate: string) => candidate >= range.from && candidate < range.to;
    // Byte order, as both databases compare the column: below, the account itself, not a
    // sibling whose id merely starts the same, not the parent.
    expect(['/op/rs/', '/op/rs/cu1/', '/op/rs/cu1/x/', '/op/rs.2/', '/op/rs-b/', '/op/rsx/',
      '/op/', '/op/rs', '/op/r/'].filter(inRange)).toEqual(['/op/rs/', '/op/rs/cu1/',
      '/op/rs/cu1/x/']);
    expect(() => subtreeRangeOf('/')).toThrow();
    expect(() => scopePathOf(['a/b'])).toThrow();
  });

  it('makes ids that sort by time, then by the order of the process', () => {
    const ids = [auditIdOf({ atMs: 5, sequence: 2, random: 'ab12cd34' }),
      auditIdOf({ atMs: 5, sequence: 10, random: '00000000' }),
      auditIdOf({ atMs: 1_700_000_000_000, sequence: 1, random: 'ffffffff' })];
    expect(ids[0]).toBe('aud_0000000000005_000002_ab12cd34');
    expect([...ids].sort()).toEqual(ids);
    expect(() => auditIdOf({ atMs: auditLimits.atMsMax + 1, sequence: 1, random: 'aa' }))
      .toThrow();
  });

  it('stores views as JSON, refuses secrets, and cuts what is too large to a stub', () => {
    expect(auditDocumentOf({ id: 'key_1', label: 'api', gone: undefined }))
      .toEqual({ id: 'key_1', label: 'api' });
    expect(auditDocumentOf(undefined)).toBeNull();
    expect(() => auditDocumentOf({ id: 'key_1', key: 'tg_secret' })).toThrow(/no secret/);
    expect(() => auditDocumentOf({ nested: [{ key_hash: 'ab' }] })).toThrow(/no secret/);
    expect(() => auditDocumentOf({ amount: 1n })).toThrow();
    const large = auditDocumentOf({ text: 'x'.repeat(auditLimits.documentBytesMax) });
    expect(large).toEqual({ truncated: true, bytes: auditLimits.documentBytesMax + 11 });
  });

  it('shows an actor to the keys at or above its account on the path, never the operator', () => {
    const entry = { scopePath: '/op/rs/cu1/',
      actor: { kind: 'key', keyId: 'key_1', accountId: 'rs' } } as const;
    expect(['op', 'rs', 'cu1', 'other'].filter((viewer) => actorVisibleTo(entry, viewer)))
      .toEqual(['op', 'rs']);
    expect(actorVisibleTo({ scopePath: '/op/', actor: { kind: 'operator' } }, 'op')).toBe(false);
  });
});
