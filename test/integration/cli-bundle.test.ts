import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBundler } from '../../bin/cli-bundle.cjs';

type Bundler = ReturnType<typeof createBundler>;

const work = mkdtempSync(join(tmpdir(), 'sagedrop-cli-bundle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A small TypeScript program with an import, a JavaScript module and a settings file, in its own folder. */
function project(name: string): { root: string; bundler: Bundler; write(file: string, text: string): void } {
  const root = join(work, name);
  mkdirSync(join(root, 'src'), { recursive: true });
  const write = (file: string, text: string) => writeFileSync(join(root, file), text);
  write('settings.json', '{}\n');
  write(
    'src/main.ts',
    [
      "import { message } from './message';",
      'const place: string = __dirname;',
      "console.log(message + ' from ' + place);",
      '',
    ].join('\n'),
  );
  write('src/message.ts', "export const message: string = 'one';\n");
  const bundler = createBundler({
    root,
    entry: 'src/main.ts',
    cache: join(root, 'cache'),
    extra: ['settings.json'],
  });
  return { root, bundler, write };
}

function run(bundle: string | undefined): string {
  if (bundle === undefined) throw new Error('no bundle');
  return execFileSync(process.execPath, [bundle], { encoding: 'utf8' }).trim();
}

describe('the prebuilt CLI bundle', () => {
  it('runs the program as its sources say, each file keeping its own folder as __dirname', async () => {
    const { root, bundler } = project('runs');
    expect(bundler.current()).toBeUndefined();
    const bundle = await bundler.fresh();
    expect(run(bundle)).toBe(`one from ${join(root, 'src')}`);
    expect(bundler.current()).toBe(bundle);
  });

  it('is out of date as soon as an imported source changes, and a rebuild runs the new code', async () => {
    const { bundler, write } = project('changed');
    await bundler.fresh();
    write('src/message.ts', "export const message: string = 'two';\n");
    expect(bundler.current()).toBeUndefined();
    expect(run(await bundler.fresh())).toMatch(/^two from /);
  });

  it('is out of date when a file that shapes the build without being compiled changes', async () => {
    const { bundler, write } = project('settings');
    await bundler.fresh();
    write('settings.json', '{"changed": true}\n');
    expect(bundler.current()).toBeUndefined();
  });

  it('is out of date when a source it was built from is gone', async () => {
    const { root, bundler } = project('removed');
    await bundler.fresh();
    rmSync(join(root, 'src/message.ts'));
    expect(bundler.current()).toBeUndefined();
    expect(await bundler.fresh()).toBeUndefined();
  });

  it('stays current when a source is touched or rewritten with the same bytes', async () => {
    const { root, bundler, write } = project('touched');
    const bundle = await bundler.fresh();
    utimesSync(join(root, 'src/main.ts'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    write('src/message.ts', "export const message: string = 'one';\n");
    expect(bundler.current()).toBe(bundle);
    expect(run(bundler.current())).toMatch(/^one from /);
  });

  it('keeps a few earlier bundles for processes that started just before a rebuild, and no more', async () => {
    const { root, bundler, write } = project('kept');
    for (const message of ['a', 'b', 'c', 'd', 'e']) {
      write('src/message.ts', `export const message: string = '${message}';\n`);
      await bundler.fresh();
    }
    const bundles = readdirSync(join(root, 'cache')).filter((name) => name.endsWith('.cjs'));
    expect(bundles).toHaveLength(3);
    expect(run(bundler.current())).toMatch(/^e from /);
  });

  it('compiles in the packages it bundles, keyed like the sources, and leaves the others to require() at run time', async () => {
    const { root, write } = project('packages');
    for (const name of ['inside', 'outside']) {
      mkdirSync(join(root, 'node_modules', name), { recursive: true });
      write(`node_modules/${name}/index.js`, `module.exports = '${name} 1';\n`);
    }
    write('src/main.ts', "console.log(require('inside'), require('outside'));\n");
    const bundler = createBundler({
      root,
      entry: 'src/main.ts',
      cache: join(root, 'cache'),
      bundled: ['inside'],
    });
    const bundle = await bundler.fresh();
    expect(run(bundle)).toBe('inside 1 outside 1');
    write('node_modules/outside/index.js', "module.exports = 'outside 2';\n");
    expect(bundler.current()).toBe(bundle);
    expect(run(bundle)).toBe('inside 1 outside 2');
    write('node_modules/inside/index.js', "module.exports = 'inside 2';\n");
    expect(bundler.current()).toBeUndefined();
    expect(run(await bundler.fresh())).toBe('inside 2 outside 2');
  });
});
