import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/app/demo-seed.ts';
import { openServices } from '../../src/app/services.ts';
import { loadConfig } from '../../src/config/load-config.ts';

// The engine decides in memory, so a second writer of one SQLite file would keep a second set
// of balances. Before the engine, several processes could share a file; now the second one is
// refused at start, and the file is free again once the first one stops.
const directories: string[] = [];

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true });
});

function configOf(path: string, env: Record<string, string> = {}) {
  const loaded = loadConfig({ env: { TOLLGATE_DB: path, TOLLGATE_LOG_LEVEL: 'silent',
    ...env } });
  if (!loaded.ok) throw new Error(loaded.message);
  return loaded.value;
}

describe('one writer per SQLite database', () => {
  it('refuses a second writer of the same file until the first one closes', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tollgate-lock-'));
    directories.push(directory);
    const config = configOf(join(directory, 'tollgate.sqlite'));
    const first = await openServices(config);
    await expect(openServices(config)).rejects.toThrow(/another Tollgate process writes/);
    await first.close();
    const again = await openServices(config);
    await again.close();
  });
});

describe('SQLite batches on a worker thread (TOLLGATE_SQLITE_WRITER_THREAD=true)', () => {
  it('answers a call only once its batch is stored, and a restart finds it', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tollgate-writer-'));
    directories.push(directory);
    const config = configOf(join(directory, 'tollgate.sqlite'),
      { TOLLGATE_SQLITE_WRITER_THREAD: 'true', TOLLGATE_FRAUD_ENABLED: 'false' });
    const first = await openServices(config);
    await seedDemo(first);
    const call = { sessionId: 'w-1', accountId: 'c1', caller: '1555', callee: '442079460000' };
    const granted = await first.charging.authorize({ ...call, requestNumber: 0 });
    expect(granted.ok && granted.value.status).toBe('granted');
    const ended = await first.charging.terminate({ sessionId: 'w-1', requestNumber: 1,
      usedSeconds: 12 });
    expect(ended.ok).toBe(true);
    await first.close();
    // A new process (here: new services) reads what the worker committed.
    const again = await openServices(config);
    const cdrs = await again.charging.listCdrs({ scopeAccountId: 'c1', limit: 10 });
    expect(cdrs.ok && cdrs.value.map((cdr) => [cdr.sessionId, cdr.usedSeconds]))
      .toEqual([['w-1', 12]]);
    const report = await again.ledger.verifyLedger();
    expect(report.ok && report.value.ok).toBe(true);
    await again.close();
  });
});
