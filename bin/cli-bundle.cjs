// The CLI as one prebuilt CommonJS file, so a command does not transpile
// TypeScript before it starts (through tsx that cost about a third of a
// CPU-second per run, more than the merge of a small file).
//
// esbuild bundles cli/main.ts and every source file it reaches (packages in
// node_modules stay plain require() calls, loaded as they are installed, but
// for zod, which is compiled in and keyed like the sources) into
// node_modules/.cache/sagedrop/. The bundle is recorded with a hash of the
// exact bytes it was built from and each file's change signature; a start
// checks the signatures (and, for a touched file, the bytes) and rebuilds when
// anything differs, so it never runs code older than the sources. When it
// cannot build (no esbuild, a read-only install, a syntax error) the CLI runs
// through tsx, which reports errors the usual way.
//
// `node bin/cli-bundle.cjs` builds it (npm runs that on `npm ci`, as `prepare`).
const fs = require('node:fs');
const path = require('node:path');

/** Bundles kept: a process that read the manifest just before a rebuild still finds its file. */
const KEEP = 3;
const LOADERS = { '.ts': 'ts', '.js': 'js', '.cjs': 'js', '.mjs': 'js', '.json': 'json' };

/** Writes `data` to `file` so that no reader ever sees it half-written. */
function writeAtomically(file, data) {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, data);
  fs.renameSync(temporary, file);
}

/**
 * The bundle of `entry` (relative to `root`), cached in `cache`; `extra`
 * files (relative to `root`) are part of its key without being compiled.
 * Packages are left to require() at run time, but for those `bundled`,
 * whose files are compiled in and keyed like the sources.
 * @param {{ root: string, entry: string, cache: string, extra?: string[], bundled?: string[] }} options
 * @returns {{ current(): string | undefined, fresh(): Promise<string | undefined> }}
 */
function createBundler({ root, entry, cache, extra = [], bundled = [] }) {
  const manifestFile = path.join(cache, 'cli.json');
  const relative = (absolute) => path.relative(root, absolute).split(path.sep).join('/');

  /** The key of a build: the checkout's place and each source file's path and bytes. */
  function keyOf(sources) {
    const hash = require('node:crypto').createHash('sha256');
    hash.update(`${root}\0`);
    for (const [file, bytes] of sources) {
      hash.update(`${file}\0${bytes.length}\0`);
      hash.update(bytes);
    }
    return hash.digest('hex');
  }

  /**
   * A file's change signature. The ctime changes with every write, rename or
   * touch and cannot be set back, so an equal signature means unchanged bytes.
   */
  function signatureOf(file) {
    const stat = fs.statSync(path.join(root, file), { bigint: true });
    return `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
  }

  /** The cached bundle's path when it was built from the sources as they are now, else undefined. */
  function current() {
    let manifest;
    try {
      manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    } catch {
      return undefined;
    }
    try {
      const bundle = path.join(cache, manifest.bundle);
      if (!fs.existsSync(bundle)) return undefined;
      const signatures = manifest.sources.map(signatureOf);
      if (signatures.every((signature, k) => signature === manifest.signatures[k])) return bundle;
      // Touched (a checkout, a copy): current only if every byte is as built.
      const sources = manifest.sources.map((file) => [file, fs.readFileSync(path.join(root, file))]);
      if (keyOf(sources) !== manifest.key) return undefined;
      writeAtomically(manifestFile, JSON.stringify({ ...manifest, signatures }));
      return bundle;
    } catch {
      // A source file was removed or renamed (out of date), or the cache is read-only.
      return undefined;
    }
  }

  /** Bundles `entry` and records what it was built from; returns the bundle's path. */
  async function build() {
    const esbuild = require('esbuild');
    const sources = new Map();
    const signatures = new Map();
    // The signature is taken before the read: a change while building shows as a changed signature.
    const readSource = (absolute) => {
      const file = relative(absolute);
      signatures.set(file, signatureOf(file));
      const bytes = fs.readFileSync(absolute);
      sources.set(file, bytes);
      return bytes;
    };
    for (const file of extra) readSource(path.join(root, file));
    // Every source is read here, once, so the recorded bytes are exactly those
    // compiled; each keeps its own location as __dirname and __filename (the
    // demo finds examples/ and k-means finds its worker from them).
    const recordSources = {
      name: 'record-sources',
      setup(setup) {
        // Packages stay require() calls, loaded as installed, but for those bundled for their many files.
        setup.onResolve({ filter: /^[^./]/ }, (args) => {
          const name = args.path
            .split('/')
            .slice(0, args.path.startsWith('@') ? 2 : 1)
            .join('/');
          return bundled.includes(name) ? undefined : { path: args.path, external: true };
        });
        setup.onLoad({ filter: /.*/ }, (args) => {
          const loader = LOADERS[path.extname(args.path)];
          if (loader === undefined) return undefined;
          const bytes = readSource(args.path);
          if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return { contents: bytes, loader };
          const contents = bytes
            .toString('utf8')
            .replace(/\b__dirname\b/g, JSON.stringify(path.dirname(args.path)))
            .replace(/\b__filename\b/g, JSON.stringify(args.path));
          return { contents, loader };
        });
      },
    };
    const result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      // Identifiers stay (stack traces keep their function names); whitespace
      // goes, and so do keepNames' 1,200 calls at start: 20-30 ms per command.
      keepNames: false,
      minifyWhitespace: true,
      minifySyntax: true,
      write: false,
      outfile: path.join(cache, 'bundle.cjs'),
      logLevel: 'silent',
      plugins: [recordSources],
    });
    const ordered = [...sources].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const key = keyOf(ordered);
    const files = ordered.map(([file]) => file);
    const bundleName = `cli-${key.slice(0, 16)}.cjs`;
    fs.mkdirSync(cache, { recursive: true });
    writeAtomically(path.join(cache, bundleName), result.outputFiles[0].contents);
    const manifest = {
      key,
      bundle: bundleName,
      sources: files,
      signatures: files.map((f) => signatures.get(f)),
    };
    writeAtomically(manifestFile, JSON.stringify(manifest));
    removeOldBundles(bundleName);
    return path.join(cache, bundleName);
  }

  function removeOldBundles(kept) {
    const old = fs
      .readdirSync(cache)
      .filter((name) => name.startsWith('cli-') && name.endsWith('.cjs') && name !== kept)
      .map((name) => ({ name, time: fs.statSync(path.join(cache, name)).mtimeMs }))
      .sort((a, b) => b.time - a.time);
    for (const { name } of old.slice(KEEP - 1)) fs.rmSync(path.join(cache, name), { force: true });
  }

  /** A fresh build, or undefined when it cannot be built here. */
  async function fresh() {
    try {
      return await build();
    } catch {
      return undefined;
    }
  }

  return { current, fresh };
}

const ROOT = path.join(__dirname, '..');
/** The sagedrop CLI's bundler; this file and the compiler settings shape the output as the sources do. */
const cli = createBundler({
  root: ROOT,
  entry: 'cli/main.ts',
  cache: path.join(ROOT, 'node_modules', '.cache', 'sagedrop'),
  extra: ['bin/cli-bundle.cjs', 'tsconfig.json'],
  // zod is 95 files, loaded by every command: one compiled file starts faster.
  bundled: ['zod'],
});

/** Starts the CLI: from the current bundle, a fresh one, or through tsx when it cannot be built. */
function runCli() {
  const cached = cli.current();
  if (cached !== undefined) {
    require(cached);
    return;
  }
  cli.fresh().then((bundle) => {
    if (bundle !== undefined) require(bundle);
    else {
      require('tsx/cjs');
      require('../cli/main.ts');
    }
  });
}

module.exports = { createBundler, runCli };

if (require.main === module && cli.current() === undefined) {
  cli.fresh().then((bundle) => {
    // Not an install failure: the CLI still runs, through tsx.
    if (bundle === undefined) console.error('sagedrop: the CLI could not be bundled; it runs through tsx');
  });
}
