import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../bench/support/stack-package';
import { FUNCTION_CALLERS, IAM_CALLS, NOT_SENT_BY_FUNCTIONS } from '../../lib/aws/iam-calls';

/** Source files an entry point pulls in, as esbuild bundles it (the functions' bundles are built the same way). */
async function importGraph(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [join(REPO_ROOT, entry)],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'silent',
    absWorkingDir: REPO_ROOT,
  });
  return Object.keys(result.metafile.inputs);
}

/** The steps `@aws-sdk/lib-storage`'s Upload sends. */
const UPLOAD_STEPS = [
  'PutObject',
  'CreateMultipartUpload',
  'UploadPart',
  'CompleteMultipartUpload',
  'AbortMultipartUpload',
];

/** SDK commands a source file sends (`new XxxCommand(`), and the steps of an Upload it starts. */
function commandsIn(file: string): string[] {
  const source = readFileSync(join(REPO_ROOT, file), 'utf8');
  const commands = [...source.matchAll(/new (\w+)Command\(/g)].map((match) => match[1] as string);
  return /new Upload\(/.test(source) ? [...commands, ...UPLOAD_STEPS] : commands;
}

const HANDLERS = FUNCTION_CALLERS.map((fn) => `handlers/${fn}.ts`);

describe('the simulated IAM call table (lib/aws/iam-calls.ts)', () => {
  it('has a row for every AWS command the functions can send', async () => {
    const adapters = new Set<string>();
    for (const handler of HANDLERS) {
      for (const input of await importGraph(handler)) if (input.startsWith('lib/aws/')) adapters.add(input);
    }
    expect([...adapters]).toContain('lib/aws/s3-store.ts');
    const tabled = new Set(IAM_CALLS.map((row) => row.call));
    const missing = [...adapters].flatMap((file) =>
      commandsIn(file)
        .filter((command) => !tabled.has(command) && !(command in NOT_SENT_BY_FUNCTIONS))
        .map((command) => `${command} (${file})`),
    );
    expect(missing).toEqual([]);
    expect(Object.keys(NOT_SENT_BY_FUNCTIONS).filter((command) => tabled.has(command))).toEqual([]);
  });

  it('keeps the AGPL policy simulator out of every function bundle and the CLI', async () => {
    for (const entry of [...HANDLERS, 'cli/main.ts']) {
      const graph = await importGraph(entry);
      expect(graph.length, entry).toBeGreaterThan(10);
      expect(
        graph.filter((input) => input.includes('@cloud-copilot')),
        entry,
      ).toEqual([]);
    }
  });
});
