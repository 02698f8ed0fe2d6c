import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const SAGEDROP_BIN = join(__dirname, '../../bin/sagedrop.cjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A user's clean environment: no AWS settings, `home` as HOME. */
export function cliEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
}

/** Runs `sagedrop ...args` as a user would, through bin/sagedrop.cjs, in `cwd` (also its HOME). */
export function runSagedrop(args: string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SAGEDROP_BIN, ...args], { cwd, env: cliEnv(cwd) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
