import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { record } from './json';

/** serverless-esbuild's own keys: everything else in `custom.esbuild` goes to esbuild as is. */
const PLUGIN_ONLY_KEYS = new Set([
  'exclude',
  'packager',
  'packagerOptions',
  'packagePath',
  'installExtraArgs',
  'keepOutputDirectory',
  'nativeZip',
  'outputWorkFolder',
  'outputBuildFolder',
  'outputFileExtension',
  'concurrency',
  'zipConcurrency',
  'watch',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
]);

export interface Contribution {
  /** An npm package, or a folder of this repository. */
  source: string;
  bytes: number;
}

/** The esbuild options and handler entry points of a packaged service, from its `serverless-state.json`. */
export function packagedBuild(packageDir: string): { options: BuildOptions; entries: Map<string, string> } {
  const state = JSON.parse(readFileSync(join(packageDir, 'serverless-state.json'), 'utf8'));
  const service = record(record(state).service);
  const options = Object.fromEntries(
    Object.entries(record(record(service.custom).esbuild)).filter(([key]) => !PLUGIN_ONLY_KEYS.has(key)),
  ) as BuildOptions;
  const entries = new Map(
    Object.entries(record(service.functions)).map(([name, fn]) => {
      const handler = String(record(fn).handler);
      return [name, `${handler.slice(0, handler.lastIndexOf('.'))}.ts`] as const;
    }),
  );
  return { options, entries };
}

function sourceOf(input: string): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (inPackage?.[1]) return inPackage[1];
  return input.split('/').slice(0, -1).join('/') || input;
}

/**
 * What a handler's bundle is made of: bytes of output per npm package (or
 * repository folder), largest first. Rebuilds with the packaged options.
 */
export async function bundleComposition(
  serviceDir: string,
  entry: string,
  options: BuildOptions,
): Promise<Contribution[]> {
  const result = await build({
    ...options,
    absWorkingDir: serviceDir,
    entryPoints: [entry],
    outfile: 'composition.js',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const totals = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const source = sourceOf(input);
      totals.set(source, (totals.get(source) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].map(([source, bytes]) => ({ source, bytes })).sort((a, b) => b.bytes - a.bytes);
}
