import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Issue 21: every document the repository points to is in the repository. Checked: relative
 * Markdown links in the README, docs/ and the domain READMEs; file names those documents and
 * the OpenAPI descriptions mention; and every `*.md` a source comment cites. A name resolves
 * next to the file that mentions it, from the repository root, or as the tail of a path in the
 * repository (`cluster/README.md`).
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const skippedDirectories = new Set(['node_modules', 'dist', '.git', 'coverage']);
/** Bounds the walk: the repository has a few hundred files. */
const filesMax = 20_000;

function walk(directory: string, found: string[]): string[] {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (found.length >= filesMax) throw new Error(`more than ${filesMax} files under ${root}`);
    if (entry.isDirectory()) {
      if (!skippedDirectories.has(entry.name)) walk(join(directory, entry.name), found);
    } else {
      found.push(relative(root, join(directory, entry.name)));
    }
  }
  return found;
}

const repoFiles = walk(root, []);
const repoSet = new Set(repoFiles);

/** True when `name`, mentioned in `from`, names a file or folder of the repository. */
function exists(name: string, from: string): boolean {
  const clean = name.replace(/^\.\//, '');
  for (const candidate of [join(dirname(from), clean), clean]) {
    const path = relative(root, resolve(root, candidate));
    if (repoSet.has(path)) return true;
    try {
      if (statSync(join(root, path)).isDirectory()) return true;
    } catch {
      // not a folder either
    }
  }
  if (clean.startsWith('../')) return false;
  return repoFiles.some((file) => file === clean || file.endsWith(`/${clean}`));
}

const linkPattern = /\[[^\]]*\]\(([^)\s]+)\)/g;
/** A file name with an extension documents and code are made of, with optional folders. */
const fileNamePattern =
  /(?<![\w$~/.@-])((?:\.{1,2}\/)*(?:[\w-][\w.-]*\/)*[\w-][\w.-]*\.(?:md|ts|json|cfg|xml|ya?ml|service|erl|escript|hex))(?![\w/-])/g;
/** Files of other installations a guide names (a switch's own configuration). */
const foreignFiles = new Set(['autoload_configs/event_socket.conf.xml']);
const thisTest = relative(root, fileURLToPath(import.meta.url));

function brokenLinks(file: string, text: string): string[] {
  const broken: string[] = [];
  for (const match of text.matchAll(linkPattern)) {
    const target = (match[1] ?? '').split('#')[0] ?? '';
    if (target === '' || /^[a-z]+:/i.test(target)) continue;
    if (!exists(target, file)) broken.push(`${file}: link ${target}`);
  }
  return broken;
}

function missingNames(file: string, text: string): string[] {
  const missing: string[] = [];
  for (const match of text.matchAll(fileNamePattern)) {
    const name = match[1] ?? '';
    if (foreignFiles.has(name)) continue;
    if (!exists(name, file)) missing.push(`${file}: ${name}`);
  }
  return missing;
}

const documents = repoFiles.filter((file) => file === 'README.md' ||
  (file.startsWith('docs/') && file.endsWith('.md')) ||
  (file.startsWith('packages/') && file.endsWith('/README.md')));

/** Every description and summary of the OpenAPI document. */
function openApiTexts(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) openApiTexts(item, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if ((key === 'description' || key === 'summary') && typeof item === 'string') {
        found.push(item);
      } else {
        openApiTexts(item, found);
      }
    }
  }
  return found;
}

describe('documents the repository refers to (issue 21)', () => {
  it('finds the documents and folders', () => {
    expect(documents).toContain('docs/configuration.md');
    expect(documents.length).toBeGreaterThan(20);
  });

  it('resolves every relative link and file name in the README, docs/ and domain READMEs', () => {
    const problems = documents.flatMap((file) => {
      const text = readFileSync(join(root, file), 'utf8');
      return [...brokenLinks(file, text), ...missingNames(file, text)];
    });
    expect(problems).toEqual([]);
  });

  it('resolves every file name in the OpenAPI descriptions', () => {
    const file = 'packages/server/openapi.json';
    const texts = openApiTexts(JSON.parse(readFileSync(join(root, file), 'utf8')));
    expect(texts.length).toBeGreaterThan(50);
    expect(texts.flatMap((text) => missingNames(file, text))).toEqual([]);
  });

  it('finds every Markdown document a source comment cites', () => {
    const sources = repoFiles.filter((file) => file.startsWith('packages/') &&
      file.endsWith('.ts') && !file.endsWith('.d.ts') && file !== thisTest);
    const problems = sources.flatMap((file) => {
      const text = readFileSync(join(root, file), 'utf8');
      return missingNames(file, text).filter((problem) => problem.endsWith('.md'));
    });
    expect(problems).toEqual([]);
  });

  it('would notice a missing document', () => {
    expect(missingNames('docs/x.md', 'see `nowhere-at-all.md`')).toEqual(
      ['docs/x.md: nowhere-at-all.md']);
    expect(brokenLinks('docs/x.md', '[gone](gone/file.md)'))
      .toEqual(['docs/x.md: link gone/file.md']);
    expect(missingNames('docs/x.md', 'see rating.md and cluster/README.md')).toEqual([]);
  });
});
