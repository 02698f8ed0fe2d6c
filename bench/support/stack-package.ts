import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO_ROOT = resolve(__dirname, '..', '..');

/** Top-level entries a package never needs; everything else is copied as the service. */
const NOT_PART_OF_THE_SERVICE = new Set([
  'node_modules',
  '.git',
  '.serverless',
  '.esbuild',
  '.sagedrop',
  'coverage',
  'dist',
  'bench',
  'test',
]);

export interface StackPackage {
  /** The `--package` directory: template, state and one zip per function. */
  dir: string;
  template: unknown;
  /** Function name -> zip path. */
  zips: Map<string, string>;
  /** Everything `sls package` printed, stdout and stderr. */
  output: string;
  remove(): void;
}

export interface PackageOptions {
  stage?: string;
  region?: string;
  repoRoot?: string;
  /** `--param="name=value"` for each entry. */
  params?: Record<string, string>;
}

/** The environment `sls package` gets: no credentials, no telemetry, a throwaway HOME. */
function offlineEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('AWS_') || name.startsWith('SLS_') || name.startsWith('SERVERLESS_')) continue;
    env[name] = value;
  }
  return {
    ...env,
    HOME: home,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    NO_COLOR: '1',
  };
}

/**
 * Runs `sls package` offline, without credentials, on a copy of the service in a
 * temporary directory, so the work tree is untouched and concurrent runs do not
 * share the plugin's `.esbuild` work folder.
 */
export async function packageStack(options: PackageOptions = {}): Promise<StackPackage> {
  const repoRoot = options.repoRoot ?? REPO_ROOT;
  const root = mkdtempSync(join(tmpdir(), 'sagedrop-package-'));
  const service = join(root, 'service');
  const dir = join(root, 'package');
  const home = join(root, 'home');
  mkdirSync(home);
  cpSync(repoRoot, service, {
    recursive: true,
    filter: (source) => {
      const path = relative(repoRoot, source);
      return path === '' || path.includes(sep) || !NOT_PART_OF_THE_SERVICE.has(path);
    },
  });
  symlinkSync(join(repoRoot, 'node_modules'), join(service, 'node_modules'), 'dir');
  const sls = join(repoRoot, 'node_modules', 'osls', 'bin', 'serverless.js');
  const args = [
    sls,
    'package',
    '--stage',
    options.stage ?? 'ci',
    '--region',
    options.region ?? 'eu-west-1',
    '--package',
    dir,
    ...Object.entries(options.params ?? {}).map(([name, value]) => `--param=${name}=${value}`),
  ];
  let output: string;
  try {
    const result = await run(process.execPath, args, {
      cwd: service,
      env: offlineEnv(home),
      maxBuffer: 16 * 1024 * 1024,
    });
    output = `${result.stdout}${result.stderr}`;
  } catch (error) {
    const failed = error as Error & { stdout?: string; stderr?: string };
    rmSync(root, { recursive: true, force: true });
    throw new Error(`sls package failed: ${failed.stdout ?? ''}${failed.stderr ?? failed.message}`, {
      cause: error,
    });
  }
  const template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
  const zips = new Map(
    readdirSync(dir)
      .filter((name) => name.endsWith('.zip'))
      .map((name) => [name.slice(0, -'.zip'.length), join(dir, name)] as const),
  );
  return {
    dir,
    template,
    zips,
    output,
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Lines of `sls package` output that warn or deprecate: a clean package prints none. */
export function warningLines(output: string): string[] {
  return output.split('\n').filter((line) => /warn|deprecat|error/i.test(line));
}
