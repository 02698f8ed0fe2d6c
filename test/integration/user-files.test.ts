import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createMergeHandler } from '../../handlers/merge';
import { keys } from '../../lib/layout';
import type { S3Notification } from '../../lib/local/s3-server';
import type { MergeOutcome } from '../../lib/stages/merge';
import { runManifestSchema } from '../../lib/training/manifest';
import { useLocalS3, userUpload } from '../support/s3-server';
import { mergeDeps } from '../support/stage-worlds';

/** Files made as users make them (test/fixtures/user-files/generate.py: pandas, Excel-style, scikit-learn data). */
const FILES = join(__dirname, '../fixtures/user-files');
const fixture = useLocalS3();

function upload(key: string, body: string | Uint8Array): Promise<S3Notification> {
  return userUpload(fixture(), key, body);
}

/** Uploads a fixture folder's x and y (a .gz under the plain name) as `raw/<dataset>/`, and runs the merge handler. */
async function mergeFolder(folder: string, dataset: string, settings?: object): Promise<MergeOutcome> {
  const { server, store } = fixture();
  const { deps } = mergeDeps(store, server.bucket);
  const handler = createMergeHandler(() => deps);
  const read = async (name: string) =>
    readFile(join(FILES, folder, `${name}.csv`)).catch(() => readFile(join(FILES, folder, `${name}.csv.gz`)));
  if (settings) await upload(keys.raw(dataset, 'settings'), Buffer.from(JSON.stringify(settings)));
  await upload(keys.raw(dataset, 'x'), await read('x'));
  const event = await upload(keys.raw(dataset, 'y'), await read('y'));
  const outcomes = await handler(event, { awsRequestId: `req-${dataset}` } as Context);
  const [outcome] = outcomes.filter((o) => o.outcome !== 'waiting');
  if (!outcome) throw new Error(`no outcome: ${JSON.stringify(outcomes)}`);
  return outcome;
}

async function committedManifest(outcome: MergeOutcome) {
  if (outcome.outcome !== 'committed') throw new Error(JSON.stringify(outcome));
  const text = await fixture().store.getText(outcome.manifestKey);
  return { manifest: runManifestSchema.parse(JSON.parse(text ?? '')), run: outcome.run };
}

function committedOf(outcomes: MergeOutcome[]): MergeOutcome {
  const found = outcomes.find((o) => o.outcome === 'committed');
  if (!found) throw new Error(`no run: ${JSON.stringify(outcomes)}`);
  return found;
}

async function trainRows(dataset: string, run: string): Promise<string[]> {
  return ((await fixture().store.getText(keys.channel(dataset, run, 'train'))) ?? '').trimEnd().split('\n');
}

describe('the merge handler on files users make', () => {
  it('drops the index columns of pandas to_csv after a shuffling split, and says so', async () => {
    const { manifest, run } = await committedManifest(await mergeFolder('pandas-index', 'pd-index'));
    expect(manifest.featureCount).toBe(4);
    expect(manifest.rows.total).toBe(120);
    expect(manifest.inputFormat?.x).toMatchObject({ indexColumn: true, header: true, delimiter: ',' });
    expect(manifest.inferences?.map((i) => i.said)).toContainEqual(
      expect.stringMatching(/^raw\/pd-index\/x\.csv: column 1 dropped: .*"indexColumn": "keep"/),
    );
    // x row "137,6.4,3.1,5.5,1.8" with y "137,2": the label joined to its features, the index gone.
    expect(await trainRows('pd-index', run)).toContain('2,6.4,3.1,5.5,1.8');
  });

  it('rejects pandas files whose index columns disagree, naming the first row', async () => {
    const outcome = await mergeFolder('pandas-index-shuffled', 'pd-shuffled');
    expect(outcome).toMatchObject({ outcome: 'rejected' });
    if (outcome.outcome !== 'rejected') return;
    expect(outcome.message).toMatch(
      /^raw\/pd-shuffled\/x\.csv row 2 has index \d+ but raw\/pd-shuffled\/y\.csv row 2 has index 137: the files were shuffled/,
    );
  });

  it('reads Excel CSV UTF-8 (BOM, CRLF) with species names as classes 0..2, the mapping in the manifest', async () => {
    const { manifest, run } = await committedManifest(await mergeFolder('excel-bom-crlf', 'excel'));
    expect(manifest.task).toMatchObject({
      type: 'classification',
      classes: ['setosa', 'versicolor', 'virginica'],
    });
    expect(manifest.task?.reason).toMatch(/are text \(e\.g\. "setosa"\).*"task": "regression"/);
    expect(manifest.labels.distinct).toEqual(['0', '1', '2']);
    expect(manifest.headerDropped).toEqual({ x: true, y: true });
    expect((await trainRows('excel', run))[0]).toMatch(/^[0-2],\d/);
  });

  it('reads a semicolon file with decimal commas as numbers and trains a regression on it', async () => {
    const { manifest, run } = await committedManifest(await mergeFolder('semicolon-decimal-comma', 'euro'));
    expect(manifest.inputFormat?.x).toMatchObject({ delimiter: ';', decimalComma: true });
    expect(manifest.featureCount).toBe(10);
    expect(manifest.task?.type).toBe('regression');
    expect(manifest.inferences?.map((i) => i.about)).toEqual(
      expect.arrayContaining(['delimiter', 'decimal', 'header', 'task']),
    );
    const [first] = await trainRows('euro', run);
    expect(first).toMatch(/^\d+(\.\d+)?(,-?\d+(\.\d+)?(e-?\d+)?){10}$/);
  });

  it('reads a tab-separated file and encodes labels 1..3 as 0..2', async () => {
    const { manifest } = await committedManifest(await mergeFolder('tsv-labels-1-to-3', 'tsv'));
    expect(manifest.inputFormat?.x.delimiter).toBe('\t');
    expect(manifest.task).toMatchObject({ type: 'classification', classes: ['1', '2', '3'] });
    expect(manifest.labels.distinct).toEqual(['0', '1', '2']);
  });

  it('reads gzip uploads as they stream, with True/False labels as classes 0 and 1', async () => {
    const { manifest } = await committedManifest(await mergeFolder('gzip-boolean', 'gz'));
    expect(manifest.inputFormat?.x.compression).toBe('gzip');
    expect(manifest.task).toMatchObject({ type: 'classification', classes: ['False', 'True'] });
    expect(manifest.rows.total).toBe(150);
  });

  it('pairs x.csv.gz and y.csv.gz uploaded under their own names, and x.csv with y.csv.gz', async () => {
    const { server, store } = fixture();
    const { deps } = mergeDeps(store, server.bucket);
    const handler = createMergeHandler(() => deps);
    const gz = (name: string) => readFile(join(FILES, 'gzip-boolean', name));
    await upload('raw/gz-keys/x.csv.gz', await gz('x.csv.gz'));
    const both = await handler(await upload('raw/gz-keys/y.csv.gz', await gz('y.csv.gz')), {
      awsRequestId: 'gz-1',
    } as Context);
    const { manifest } = await committedManifest(committedOf(both));
    expect(manifest.inputs.x.key).toBe('raw/gz-keys/x.csv.gz');
    expect(manifest.inputs.y.key).toBe('raw/gz-keys/y.csv.gz');
    expect(manifest.rows.total).toBe(150);
    // A plain x.csv uploaded later is the current x: it pairs with a new y.csv.gz.
    const plain = (await import('node:zlib')).gunzipSync(await gz('x.csv.gz'));
    await upload('raw/gz-keys/x.csv', plain);
    const mixed = await handler(await upload('raw/gz-keys/y.csv.gz', await gz('y.csv.gz')), {
      awsRequestId: 'gz-2',
    } as Context);
    const second = await committedManifest(committedOf(mixed));
    expect(second.manifest.inputs.x.key).toBe('raw/gz-keys/x.csv');
    expect(second.manifest.inputs.y.key).toBe('raw/gz-keys/y.csv.gz');
    expect(second.manifest.inputFormat?.x.compression).toBe('none');
    expect(second.manifest.inputFormat?.y.compression).toBe('gzip');
  });

  it('rejects k-means without k before merging anything', async () => {
    const outcome = await mergeFolder('string-labels', 'no-k', { algorithm: 'kmeans' });
    expect(outcome).toMatchObject({ outcome: 'rejected' });
    if (outcome.outcome !== 'rejected') return;
    expect(outcome.message).toMatch(/^k-means needs the number of clusters/);
    const written: string[] = [];
    for await (const ref of fixture().store.list('train/no-k/')) written.push(ref.key);
    // Only the claims on the inputs (the record of the rejected run): no channel file, no manifest.
    expect(written.filter((key) => key.endsWith('.csv') || key.endsWith('manifest.json'))).toEqual([]);
  });

  it('rejects a k larger than the rows before merging anything', async () => {
    const outcome = await mergeFolder('string-labels', 'big-k', {
      algorithm: 'kmeans',
      hyperparameters: { k: 500 },
    });
    expect(outcome).toMatchObject({ outcome: 'rejected' });
    if (outcome.outcome !== 'rejected') return;
    expect(outcome.message).toMatch(/asks for 500 clusters but .* 150 rows/);
  });
});
