import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { regionsWithImages, trainingImageFor } from '../../../lib/training/algorithms';
import { TrainingConfigError } from '../../../lib/training/errors';
import { buildImageTable, renderImageTable } from '../../../scripts/generate-image-uris';
import { awsFixture } from '../../support/aws-fixtures';

const REPO = path.resolve(__dirname, '../../..');
const SOURCE_DIR = awsFixture('image-uris');

function csvRows(): Record<string, string>[] {
  const [header, ...lines] = readFileSync(path.join(SOURCE_DIR, 'training_image_uris_by_region.csv'), 'utf8')
    .trim()
    .split(/\r?\n/);
  const names = (header ?? '').split(',');
  return lines.map((line) =>
    Object.fromEntries(line.split(',').map((cell, i) => [names[i] ?? '', cell])),
  ) as Record<string, string>[];
}

describe('built-in algorithm images', () => {
  const rows = csvRows();

  it('the committed table is what the generator makes from the reference files in test/fixtures/aws', () => {
    const committed = readFileSync(path.join(REPO, 'lib/training/image-uris.generated.ts'), 'utf8');
    expect(committed).toBe(renderImageTable(buildImageTable(SOURCE_DIR)));
  });

  it('covers exactly the regions of the CSV', () => {
    expect(rows.length).toBeGreaterThan(30);
    expect(regionsWithImages().sort()).toEqual(rows.map((r) => r.region).sort());
  });

  it.each(csvRows().map((r) => [r.region ?? '', r] as const))(
    'gives the CSV images for %s',
    (region, row) => {
      expect(trainingImageFor('kmeans', region)).toBe(row.kmeans_uri);
      expect(trainingImageFor('linear-learner', region)).toBe(row.linear_learner_uri);
      expect(trainingImageFor('xgboost', region)).toBe(row['xgboost_1.7-1_uri']);
      expect(trainingImageFor('xgboost', region)).toMatch(/\/sagemaker-xgboost:1\.7-1$/);
      expect(trainingImageFor('xgboost', region)).not.toMatch(/:(1|latest)$/);
      expect(trainingImageFor('kmeans', region)).toContain(`.dkr.ecr.${region}.${row.domain}/kmeans:1`);
    },
  );

  it('refuses a region without an entry and suggests trainingImage', () => {
    expect(() => trainingImageFor('xgboost', 'mx-central-9')).toThrow(TrainingConfigError);
    expect(() => trainingImageFor('xgboost', 'mx-central-9')).toThrow(
      /no xgboost image for region mx-central-9.*"trainingImage"/,
    );
  });

  it('generation fails when the JSON and the CSV disagree', async () => {
    const { mkdtempSync, cpSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(path.join(tmpdir(), 'image-uris-'));
    cpSync(SOURCE_DIR, dir, { recursive: true });
    const csv = readFileSync(path.join(dir, 'training_image_uris_by_region.csv'), 'utf8');
    writeFileSync(
      path.join(dir, 'training_image_uris_by_region.csv'),
      csv.replace('382416733822.dkr', '999999999999.dkr'),
    );
    expect(() => buildImageTable(dir)).toThrow(/us-east-1: kmeans/);
  });
});
