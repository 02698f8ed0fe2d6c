import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSagedrop } from '../support/sagedrop-cli';

const IRIS = join(__dirname, '../../examples/iris');

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sagedrop-cli-redrive-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('sagedrop redrive --local', () => {
  it('replays what a failed local run kept, once, after the cause is fixed', async () => {
    const dir = join(work, 'state');
    // s3rver keeps train/ as a folder: a file in its place makes every write under train/ fail.
    const blocker = join(dir, 's3', 'sagedrop-local', 'train');
    await mkdir(join(dir, 's3', 'sagedrop-local'), { recursive: true });
    await writeFile(blocker, 'not a folder');
    const x = join(IRIS, 'x.csv');
    const y = join(IRIS, 'y.csv');

    const failed = await runSagedrop(
      ['local', '--x', x, '--y', y, '--dataset', 'flowers', '--dir', dir],
      work,
    );
    expect(failed.code).toBe(3);
    expect(failed.stderr).toMatch(/merge function failed 3 times/);
    expect(failed.stderr).toContain(`replay them with \`npx sagedrop redrive --local --dir ${dir}\``);
    expect(failed.stdout).not.toMatch(/CloudWatch/);
    expect(failed.stdout).toMatch(/notification: sagedrop: merge failed: flowers/);
    const kept = (await readdir(join(dir, 'failures'))).length;
    expect(kept).toBeGreaterThan(0);

    const dry = await runSagedrop(['redrive', '--local', '--dir', dir, '--dry-run'], work);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      /would replay into sagedrop-local-merge: dataset flowers, raw\/flowers\/[xy]\.csv/,
    );
    expect(dry.stdout).toMatch(
      /dry run: \d event\(s\) would be replayed, 0 not yet, 0 cannot be; nothing was changed/,
    );
    expect(await readdir(join(dir, 'failures'))).toHaveLength(kept);

    const stillBroken = await runSagedrop(['redrive', '--local', '--dir', dir], work);
    expect(stillBroken.code).toBe(1);
    expect(stillBroken.stdout).toMatch(/replay into sagedrop-local-merge failed again: .*message kept/);
    expect(await readdir(join(dir, 'failures'))).toHaveLength(kept);

    await rm(blocker);
    const replayed = await runSagedrop(['redrive', '--local', '--dir', dir], work);
    expect(replayed.stderr).toBe('');
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toMatch(
      /replayed into sagedrop-local-merge: dataset flowers, .*done, message deleted/,
    );
    expect(replayed.stdout).toMatch(/training job sagedrop-local-\S*flowers\S+ Completed/);
    expect(replayed.stdout).toMatch(new RegExp(`^${kept} replayed$`, 'm'));
    expect(await readdir(join(dir, 'failures'))).toEqual([]);

    const empty = await runSagedrop(['redrive', '--local', '--dir', dir], work);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toMatch(/the failure queue is empty: nothing to replay/);
    expect(empty.stdout).not.toMatch(/training job/);
  });

  it('asks for a stage or --local, and refuses --local with a stage', async () => {
    const none = await runSagedrop(['redrive'], work);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/give --stage S for a deployed stage, or --local for the local stack/);
    const both = await runSagedrop(['redrive', '--local', '--stage', 'dev'], work);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--local replays the local stack: leave out --stage and --region/);
  });
});
