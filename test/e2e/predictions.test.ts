import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PredictionsRecord } from '../../lib/models/prediction-plan';
import type { PipelineEvent, PredictionsRejectedDetail } from '../../lib/notifications/events';
import { scoringRequestProblems } from '../support/botocore-validator';
import { dataset, heldOutRows, predictionRows } from '../support/predictions';
import { startTestStack } from './local-stack';

let stack: Awaited<ReturnType<typeof startTestStack>>;

async function train(
  name: string,
  data: { x: string; y: string },
  settings = '{"algorithm": "linear-learner"}',
) {
  await stack.upload(`raw/${name}/sagedrop.json`, settings);
  await stack.upload(`raw/${name}/x.csv`, data.x);
  await stack.upload(`raw/${name}/y.csv`, data.y);
  await stack.waitForIdle();
}

async function score(key: string, body: string | Uint8Array): Promise<void> {
  await stack.client.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body }));
  await stack.waitForIdle();
}

function sent(detailType: PipelineEvent['detailType'], input: string) {
  return stack.notifications
    .map((n) => n.event)
    .filter((e) => e.detailType === detailType && 'input' in e.detail && e.detail.input === input);
}

function rejection(input: string): PredictionsRejectedDetail | undefined {
  const [event, ...more] = sent('Predictions Rejected', input);
  expect(more).toEqual([]);
  return event?.detail as PredictionsRejectedDetail | undefined;
}

async function text(key: string): Promise<string> {
  const body = await stack.store.getText(key);
  if (body === undefined) throw new Error(`${key} is missing`);
  return body;
}

const accuracy = (predicted: string[], labels: string[]) =>
  predicted.filter((p, i) => p === labels[i]).length / labels.length;

beforeAll(async () => {
  stack = await startTestStack();
  await train('iris', dataset('iris'));
  await train('wine', dataset('wine'));
  await train('diabetes', dataset('diabetes'));
}, 120_000);
afterAll(async () => {
  await stack.close();
});

describe('predictions through the local stack', () => {
  it('answers the held-out iris rows with species names, a header above, and the model that scored', async () => {
    const { features, labels, champion } = await heldOutRows(stack.store, 'iris');
    const input = `sepal_length,sepal_width,petal_length,petal_width\n${features.join('\n')}\n`;
    await score('score/iris/held-out.csv', input);

    const output = await text('predictions/iris/held-out.csv');
    const lines = output.split('\n');
    expect(lines[0]).toBe('sepal_length,sepal_width,petal_length,petal_width,prediction,probability');
    const rows = predictionRows(output, true);
    expect(rows.map((r) => r.slice(0, 4).join(','))).toEqual(features);
    const predicted = rows.map((r) => r[4] as string);
    expect(new Set(predicted)).toEqual(new Set(['setosa', 'versicolor', 'virginica']));
    expect(accuracy(predicted, labels)).toBeGreaterThanOrEqual(0.8);
    for (const row of rows) expect(Number(row[5])).toBeGreaterThan(0.3);

    const record = JSON.parse(await text('predictions/iris/held-out.json')) as PredictionsRecord;
    expect(record).toMatchObject({ rows: features.length, header: true, model: { job: champion.job } });
    const [ready, ...again] = sent('Predictions Ready', 'score/iris/held-out.csv');
    expect(again).toEqual([]);
    expect(ready?.detail).toMatchObject({
      rows: features.length,
      job: champion.job,
      outputUri: `s3://${stack.bucket}/predictions/iris/held-out.csv`,
      columns: ['prediction', 'probability'],
    });
    expect((await text('score/iris/held-out.csv')) === input).toBe(true);
  });

  it('reads a gzip-compressed upload without a header and writes plain CSV without one (wine)', async () => {
    const { features, labels } = await heldOutRows(stack.store, 'wine');
    await score('score/wine/held-out.csv.gz', gzipSync(`${features.join('\n')}\n`));

    const output = await text('predictions/wine/held-out.csv');
    const rows = predictionRows(output, false);
    expect(rows).toHaveLength(features.length);
    expect(output.startsWith(`${features[0]},class_`)).toBe(true);
    expect(
      accuracy(
        rows.map((r) => r[13] as string),
        labels,
      ),
    ).toBeGreaterThanOrEqual(0.8);
  });

  it('appends the predicted value for a regression (diabetes), closer to the truth than the mean', async () => {
    const { features, labels } = await heldOutRows(stack.store, 'diabetes');
    await score('score/diabetes/held-out.csv', `${features.join('\n')}\n`);

    const rows = predictionRows(await text('predictions/diabetes/held-out.csv'), false);
    const predicted = rows.map((r) => Number(r[10]));
    const truth = labels.map(Number);
    const mean = truth.reduce((a, b) => a + b, 0) / truth.length;
    const rmse = (guess: (i: number) => number) =>
      Math.sqrt(truth.reduce((sum, t, i) => sum + (t - guess(i)) ** 2, 0) / truth.length);
    expect(predicted.every(Number.isFinite)).toBe(true);
    expect(rmse((i) => predicted[i] as number)).toBeLessThan(rmse(() => mean));
    const record = JSON.parse(await text('predictions/diabetes/held-out.json')) as PredictionsRecord;
    expect(record.columns).toEqual(['prediction']);
  });

  it("keeps each row byte for byte as the user wrote it: semicolons, decimal commas, CRLF, quotes, pandas' index", async () => {
    const input =
      ';sepal_length;sepal_width;petal_length;petal_width\r\n' +
      '0;5,1;3,5;1,4;0,2\r\n' +
      '1;6,7;3,0;5,2;2,3\r\n' +
      '2;5,9;3;4,2;1,5\r\n';
    await score('score/iris/european.csv', input);

    const output = await text('predictions/iris/european.csv');
    const lines = output.split('\n');
    expect(lines[0]).toBe(';sepal_length;sepal_width;petal_length;petal_width;prediction;probability');
    expect(lines[1]).toMatch(/^0;5,1;3,5;1,4;0,2;setosa;0,\d+$/);
    expect(lines[2]).toMatch(/^1;6,7;3,0;5,2;2,3;virginica;0,\d+$/);
    expect(lines[3]).toMatch(/^2;5,9;3;4,2;1,5;(versicolor|virginica);0,\d+$/);
    expect(lines.slice(4)).toEqual(['']);
  });

  it('keeps quoted values, a BOM and a last row without a line end as they were', async () => {
    await score('score/iris/quoted.csv', '\uFEFF"5.1",3.5,"1.4",0.2\n6.7,3.0,5.2,"2.3"');

    const output = await text('predictions/iris/quoted.csv');
    const lines = output.split('\n');
    expect(lines[0]).toMatch(/^\uFEFF"5\.1",3\.5,"1\.4",0\.2,setosa,0\.\d+$/);
    expect(lines[1]).toMatch(/^6\.7,3\.0,5\.2,"2\.3",virginica,0\.\d+$/);
    expect(lines.slice(2)).toEqual(['']);
  });

  it('asks the local transform with requests the SageMaker API accepts, for the normalised rows only', async () => {
    const transforms = stack.scorer.requests.createTransformJob.filter((r) =>
      r.TransformJobName?.startsWith('sagedrop-local--pred-'),
    );
    expect(transforms.length).toBeGreaterThan(0);
    for (const request of transforms) {
      expect(scoringRequestProblems('CreateTransformJobRequest', request)).toEqual([]);
      expect(request.TransformInput?.DataSource?.S3DataSource?.S3Uri).toMatch(
        /^s3:\/\/sagedrop-local\/transforms\/[^/]+\/[0-9a-f]+\/input\/$/,
      );
      expect(request.DataProcessing).toBeUndefined();
    }
    for (const request of stack.scorer.requests.createModel) {
      expect(scoringRequestProblems('CreateModelInput', request)).toEqual([]);
    }
  });

  it('rejects a dataset without a champion, naming what to do, and writes nothing under predictions/', async () => {
    await score('score/unknown/rows.csv', '1,2,3\n');
    expect(rejection('score/unknown/rows.csv')).toMatchObject({
      code: 'NO_CHAMPION',
      file: 'score/unknown/rows.csv',
    });
    expect(await stack.keys('predictions/unknown/')).toEqual([]);
  });

  it('rejects rows with another number of columns than the champion takes', async () => {
    await score('score/iris/three.csv', 'a,b,c\n1,2,3\n');
    const rejected = rejection('score/iris/three.csv');
    expect(rejected).toMatchObject({ code: 'COLUMN_COUNT_MISMATCH', row: 2 });
    expect(rejected?.message).toContain('takes 4 features');
    expect(await stack.keys('predictions/iris/three')).toEqual([]);
    expect(await stack.keys('transforms/iris/')).not.toContainEqual(expect.stringMatching(/three/));
  });

  it('rejects a value that is not a number, naming its row and column', async () => {
    await score('score/iris/typo.csv', '5.1,3.5,1.4,0.2\n4.9,3.O,1.4,0.2\n');
    const rejected = rejection('score/iris/typo.csv');
    expect(rejected).toMatchObject({ code: 'NOT_NUMERIC', row: 2, column: 2 });
    expect(rejected?.message).toBe('score/iris/typo.csv row 2, column 2: "3.O" is not a number');
    expect(await stack.keys('predictions/iris/typo')).toEqual([]);
    expect(stack.failures).toEqual([]);
  });
});
