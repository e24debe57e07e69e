import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openServices } from '../../src/app/services.ts';
import { loadConfig } from '../../src/config/load-config.ts';

// The engine decides in memory, so a second writer of one SQLite file would keep a second set
// of balances. Before the engine, several processes could share a file; now the second one is
// refused at start, and the file is free again once the first one stops.
const directories: string[] = [];

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true });
});

function configOf(path: string) {
  const loaded = loadConfig({ env: { TOLLGATE_DB: path, TOLLGATE_LOG_LEVEL: 'silent' } });
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
