import { readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../bench/support/stack-package';

/** What a clone does not contain, or a tool makes: never scanned. */
const NOT_SOURCE = new Set([
  'node_modules',
  '.git',
  '.serverless',
  '.esbuild',
  '.sagedrop',
  '.vitest',
  'coverage',
  'dist',
]);
const TEXT = new Set([
  '.ts',
  '.mts',
  '.cts',
  '.js',
  '.cjs',
  '.mjs',
  '.json',
  '.yml',
  '.yaml',
  '.md',
  '.sh',
  '.py',
  '',
]);

function repositoryFiles(dir = REPO_ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (NOT_SOURCE.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return repositoryFiles(path);
    return TEXT.has(extname(entry.name)) ? [path] : [];
  });
}

const outside = (path: string) => {
  const rel = relative(REPO_ROOT, path);
  return rel === '..' || rel.startsWith(`..${sep}`);
};

/** Places `file` points at outside the repository: relative paths in quotes or links, and __dirname joins. */
function readsOutside(file: string, text: string): string[] {
  const here = dirname(file);
  const found: string[] = [];
  // The sibling folder this repository once read its AWS references from.
  const sibling = ['..', 'shared'].join('/');
  if (
    text.includes(`${sibling}/`) ||
    text.includes(`${sibling}'`) ||
    text.includes(['shared', 'reference'].join('/'))
  ) {
    found.push(`${sibling} (the folder beside the repository)`);
  }
  for (const match of text.matchAll(/(['"`(])(\.\.?\/[^'"`)\s]*)/g)) {
    const target = match[2] as string;
    if (outside(resolve(here, target))) found.push(target);
  }
  for (const match of text.matchAll(
    /(?:join|resolve)\(\s*(?:__dirname|import\.meta\.dirname)((?:\s*,\s*['"][^'"]*['"])+)\s*[,)]/g,
  )) {
    const segments = [...(match[1] as string).matchAll(/['"]([^'"]*)['"]/g)].map(
      (segment) => segment[1] as string,
    );
    if (outside(resolve(here, ...segments))) found.push(`${match[0]} -> ${resolve(here, ...segments)}`);
  }
  return found;
}

describe('the repository', () => {
  it('reads nothing outside itself: no file names a path above the repository root', () => {
    // This file holds examples of what it looks for.
    const files = repositoryFiles().filter((file) => file !== __filename);
    expect(files.length).toBeGreaterThan(100);
    const problems = files.flatMap((file) =>
      readsOutside(file, readFileSync(file, 'utf8')).map(
        (target) => `${relative(REPO_ROOT, file)}: ${target}`,
      ),
    );
    expect(problems).toEqual([]);
  });

  it('tells a path that climbs out from one that stays in', () => {
    const file = join(REPO_ROOT, 'test', 'unit', 'x.test.ts');
    expect(readsOutside(file, "import { a } from '../../lib/layout';")).toEqual([]);
    expect(readsOutside(file, "readFileSync('../../../shared/reference/x.json')")).not.toEqual([]);
    expect(readsOutside(file, "const root = resolve(__dirname, '..', '..');")).toEqual([]);
    expect(readsOutside(file, "const up = resolve(__dirname, '..', '..', '..', 'elsewhere');")).not.toEqual(
      [],
    );
    expect(readsOutside(join(REPO_ROOT, 'README.md'), 'see [the notes](../notes.md)')).not.toEqual([]);
  });
});
