import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The architecture is enforced by the build, not by goodwill (conventions.md, rule 4): the core
// imports only relative paths (npm workspaces hoist packages, so tsc alone cannot stop
// `import 'pg'` there), source lines stay within 100 columns, and no float parsing touches money.
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const filesMax = 5_000;
const lineColumnsMax = 100;

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (name.endsWith('.ts')) out.push(path);
    if (out.length > filesMax) throw new Error('tidy: too many files');
  }
  return out;
}

const coreFiles = sourceFiles(join(root, 'packages/core/src'));
const allFiles = [...coreFiles, ...sourceFiles(join(root, 'packages/server/src'))];

describe('tidy', () => {
  it('the core imports only relative paths', () => {
    const offenders = coreFiles.filter((file) => !file.endsWith('.test.ts')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+'([^']+)'/gm)]
        .map((match) => match[1]!)
        .filter((specifier) => !specifier.startsWith('.'))
        .map((specifier) => `${relative(root, file)} imports ${specifier}`));
    expect(offenders).toEqual([]);
  });
  it('the core never reads the clock or randomness outside tests', () => {
    const offenders = coreFiles
      .filter((file) => !file.endsWith('.test.ts'))
      .filter((file) => /Date\.now\(|Math\.random\(|process\./.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file));
    expect(offenders).toEqual([]);
  });
  it(`source lines are at most ${lineColumnsMax} columns`, () => {
    const offenders = allFiles.flatMap((file) =>
      readFileSync(file, 'utf8').split('\n').flatMap((line, index) =>
        line.length > lineColumnsMax ? [`${relative(root, file)}:${index + 1}`] : []));
    expect(offenders).toEqual([]);
  });
  it('only the config module reads process.env (conventions, rule 13)', () => {
    const offenders = allFiles
      .filter((file) => !file.endsWith('.test.ts') && !file.includes('/bench/'))
      .filter((file) => !file.includes('/server/src/config/'))
      .filter((file) => /process\.env\b/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file));
    expect(offenders).toEqual([]);
  });
  it('money is never parsed as a float', () => {
    const offenders = allFiles
      .filter((file) => !file.endsWith('.test.ts') && !file.includes('/bench/'))
      .filter((file) => /parseFloat\(|Number\.parseFloat\(/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(root, file));
    expect(offenders).toEqual([]);
  });
});
