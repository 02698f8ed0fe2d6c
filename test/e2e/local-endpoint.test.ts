import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalInferenceServer, startLocalInference } from '../../lib/local/inference-server';
import { silentLogger } from '../../lib/logger';
import { readChampion } from '../../lib/models/champion';
import { IRIS_X, IRIS_Y, startTestStack } from './local-stack';

type Stack = Awaited<ReturnType<typeof startTestStack>>;

/** Data rows of iris (no header), with their class index from y.csv. */
const IRIS_ROWS = IRIS_X.trimEnd().split('\n').slice(1);
const IRIS_CLASSES = IRIS_Y.trimEnd().split('\n').slice(1).map(Number);

let stack: Stack;
let server: LocalInferenceServer;

beforeAll(async () => {
  stack = await startTestStack();
  await stack.upload('raw/iris/sagedrop.json', '{"algorithm":"linear-learner"}');
  await stack.upload('raw/iris/x.csv', IRIS_X);
  await stack.upload('raw/iris/y.csv', IRIS_Y);
  await stack.upload('raw/blobs/sagedrop.json', '{"algorithm":"kmeans","hyperparameters":{"k":3}}');
  await stack.upload('raw/blobs/x.csv', IRIS_X);
  await stack.upload('raw/blobs/y.csv', IRIS_Y);
  await stack.waitForIdle();
  server = await startLocalInference({ store: stack.store, bucket: stack.bucket, logger: silentLogger });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await stack?.close();
});

const post = (dataset: string, body: string, headers: Record<string, string> = {}) =>
  fetch(server.invocationsUrl(dataset), {
    method: 'POST',
    headers: { 'Content-Type': 'text/csv', ...headers },
    body,
  });

describe('sagedrop serve: POST /endpoints/<dataset>/invocations', () => {
  it('answers iris rows from the champion as the linear learner container does, class indices as labels', async () => {
    expect(await readChampion(stack.store, 'iris')).toBeDefined();
    const response = await post('iris', `${IRIS_ROWS.join('\n')}\n`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const answer = (await response.json()) as {
      predictions: { score: number[]; predicted_label: number }[];
    };
    expect(answer.predictions).toHaveLength(IRIS_ROWS.length);
    for (const prediction of answer.predictions) {
      expect(prediction.score).toHaveLength(3);
      expect(prediction.score.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      expect([0, 1, 2]).toContain(prediction.predicted_label);
    }
    const right = answer.predictions.filter((p, i) => p.predicted_label === IRIS_CLASSES[i]).length;
    expect(right / IRIS_ROWS.length).toBeGreaterThan(0.9);
  });

  it('answers JSON lines, one per row in order, when asked', async () => {
    const rows = [IRIS_ROWS[0], IRIS_ROWS[149]].join('\n');
    const response = await post('iris', rows, { Accept: 'application/jsonlines' });
    expect(response.headers.get('content-type')).toBe('application/jsonlines');
    const lines = (await response.text()).trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { predicted_label: number }).predicted_label)).toEqual([0, 2]);
  });

  it('answers k-means rows with the closest cluster and its distance, as JSON or CSV', async () => {
    const json = await post('blobs', IRIS_ROWS.slice(0, 2).join('\n'));
    expect(json.status).toBe(200);
    const answer = (await json.json()) as {
      predictions: { closest_cluster: number; distance_to_cluster: number }[];
    };
    expect(answer.predictions).toHaveLength(2);
    expect(answer.predictions[0]?.closest_cluster).toBe(answer.predictions[1]?.closest_cluster);
    expect(answer.predictions[0]?.distance_to_cluster).toBeGreaterThanOrEqual(0);
    const csv = await post('blobs', IRIS_ROWS.slice(0, 2).join('\n'), { Accept: 'text/csv' });
    expect(csv.headers.get('content-type')).toBe('text/csv');
    expect((await csv.text()).trimEnd().split('\n')).toEqual(
      answer.predictions.map((p) => `${p.closest_cluster.toFixed(1)},${p.distance_to_cluster}`),
    );
  });

  it('says 404 and what to do for a dataset without a champion', async () => {
    const response = await post('wine', '1,2,3\n');
    expect(response.status).toBe(404);
    expect(await response.text()).toMatch(
      /^dataset "wine" has no champion yet: upload raw\/wine\/x\.csv and raw\/wine\/y\.csv/,
    );
  });

  it('says 400 naming the row and column of a bad value, and predicts nothing', async () => {
    const bad = await post('iris', `${IRIS_ROWS[0]}\n5.1,abc,1.4,0.2\n`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe('row 2, column 2: "abc" is not a number; nothing was predicted\n');
    const header = await post('iris', `${IRIS_X.split('\n')[0]}\n${IRIS_ROWS[0]}\n`);
    expect(header.status).toBe(400);
    expect(await header.text()).toMatch(
      /^row 1, column 1: "sepal_length" is not a number \(send rows without a header\)/,
    );
    const short = await post('iris', '5.1,3.5,1.4\n');
    expect(short.status).toBe(400);
    expect(await short.text()).toMatch(/^row 1 has 3 values; the model takes 4/);
  });

  it('says 415 for a body that is not text/csv, 406 for an answer type the model has not, 405 for GET', async () => {
    const json = await post('iris', '{"instances":[]}', { 'Content-Type': 'application/json' });
    expect(json.status).toBe(415);
    expect(await json.text()).toMatch(/send rows of numbers as text\/csv/);
    const csv = await post('iris', IRIS_ROWS[0] as string, { Accept: 'text/csv' });
    expect(csv.status).toBe(406);
    expect(await csv.text()).toMatch(/ask for application\/json, application\/jsonlines/);
    const get = await fetch(server.invocationsUrl('iris'));
    expect(get.status).toBe(405);
  });

  it('refuses more than a serverless endpoint takes (4 MB) with 413', async () => {
    const big = `${`${IRIS_ROWS[0]}\n`.repeat(Math.ceil((4 * 1024 * 1024) / 16) + 10)}`;
    const response = await post('iris', big);
    expect(response.status).toBe(413);
    expect(await response.text()).toMatch(/at most 4194304 \(4 MB\): send fewer rows per request/);
  });
});
