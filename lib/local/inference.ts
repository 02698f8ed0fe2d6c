import { readChampion } from '../models/champion';
import { type ObjectStore, readObject } from '../ports';
import { type LocalModel, predictLine, readLocalModel } from './training/local-model';

/**
 * What an invocation answers: a status, a content type and a body, as the
 * SageMaker container would (its errors as plain text).
 */
export interface InvocationAnswer {
  status: number;
  contentType: string;
  body: string;
  /** The champion's training job that answered, when one did. */
  job?: string;
}

/** Serverless Inference refuses larger requests (4 MB per invocation). */
export const MAX_INVOCATION_BYTES = 4 * 1024 * 1024;

const text = (status: number, body: string): InvocationAnswer => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body: `${body}\n`,
});

/** The media type of a header value, without parameters, lower-cased. */
function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * What the built-in container answers in for `accept`: linear learner JSON
 * or JSON lines, k-means those or CSV. A missing or `*` Accept gets JSON,
 * the containers' default.
 */
function answerType(algorithm: LocalModel['algorithm'], accept: string | undefined) {
  const wanted = (accept ?? '')
    .split(',')
    .map((part) => mediaType(part))
    .filter(Boolean);
  const offered =
    algorithm === 'kmeans'
      ? ['application/json', 'application/jsonlines', 'text/csv']
      : ['application/json', 'application/jsonlines'];
  if (wanted.length === 0 || wanted.some((w) => w === '*/*' || w === 'application/*')) {
    return { type: 'application/json', offered };
  }
  return { type: wanted.find((w) => offered.includes(w)), offered };
}

/** The rows of a CSV body as numbers, or the first row and column that is not one. */
function parseRows(body: string, width: number): { rows: number[][] } | { problem: string } {
  const lines = body.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  const rows: number[][] = [];
  for (let r = 0; r < lines.length; r += 1) {
    const line = lines[r] as string;
    const values = line.split(',');
    if (line.trim() === '' || values.length !== width) {
      const count = line.trim() === '' ? 0 : values.length;
      return {
        problem: `row ${r + 1} has ${count} values; the model takes ${width} (the columns of x.csv, without its header or index column)`,
      };
    }
    const numbers: number[] = [];
    for (let c = 0; c < values.length; c += 1) {
      const raw = (values[c] as string).trim();
      const value = raw === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(value)) {
        const hint = r === 0 ? ' (send rows without a header)' : '';
        return { problem: `row ${r + 1}, column ${c + 1}: ${JSON.stringify(raw)} is not a number${hint}` };
      }
      numbers.push(value);
    }
    rows.push(numbers);
  }
  return { rows };
}

function widthOf(model: LocalModel): number {
  return model.algorithm === 'kmeans' ? model.featureDim : model.linear.featureDim;
}

/**
 * Answers `POST /endpoints/<dataset>/invocations` from the dataset's local
 * champion, as its SageMaker endpoint would: `text/csv` rows in, linear
 * learner's `{"predictions":[{"score":..,"predicted_label":..}]}` or k-means'
 * `{"predictions":[{"closest_cluster":..,"distance_to_cluster":..}]}` out
 * (JSON lines or, for k-means, CSV when asked). Labels are the class indices
 * the model was trained on, as on SageMaker: the manifest maps them to names.
 */
export function createLocalInference(input: { store: ObjectStore; bucket: string }) {
  const { store, bucket } = input;
  const models = new Map<string, LocalModel>();

  const loadModel = async (artifact: string): Promise<LocalModel | string> => {
    const cached = models.get(artifact);
    if (cached) return cached;
    const prefix = `s3://${bucket}/`;
    if (!artifact.startsWith(prefix)) return `the champion's model ${artifact} is outside ${bucket}`;
    const ref = await store.head(artifact.slice(prefix.length));
    if (!ref) return `the champion's model ${artifact} is missing`;
    const archive = await readObject(store, ref);
    try {
      const model = readLocalModel(archive);
      models.set(artifact, model);
      return model;
    } catch (error) {
      return (error as Error).message.replace(/^ClientError: /, '');
    }
  };

  return async function invoke(request: {
    dataset: string;
    contentType: string | undefined;
    accept: string | undefined;
    body: Buffer;
    /** The request's size when the body was too large to keep. */
    size?: number;
  }): Promise<InvocationAnswer> {
    const { dataset } = request;
    if (mediaType(request.contentType) !== 'text/csv') {
      return text(
        415,
        `Content-Type ${request.contentType ?? '(none)'} is not accepted: send rows of numbers as text/csv (curl -H 'Content-Type: text/csv' --data-binary @rows.csv)`,
      );
    }
    const size = request.size ?? request.body.length;
    if (size > MAX_INVOCATION_BYTES) {
      return text(
        413,
        `the request has ${size} bytes; a serverless endpoint takes at most ${MAX_INVOCATION_BYTES} (4 MB): send fewer rows per request, or drop a file under score/${dataset}/ for batch predictions`,
      );
    }
    const champion = await readChampion(store, dataset);
    if (!champion) {
      return text(
        404,
        `dataset "${dataset}" has no champion yet: upload raw/${dataset}/x.csv and raw/${dataset}/y.csv and wait for "model promoted" (sagedrop status shows where it stands)`,
      );
    }
    const model = await loadModel(champion.modelArtifact);
    if (typeof model === 'string') {
      return text(501, `the champion ${champion.job} cannot answer locally: ${model}`);
    }
    const { type, offered } = answerType(model.algorithm, request.accept);
    if (!type) {
      return text(
        406,
        `Accept ${request.accept} is not offered by ${model.algorithm}: ask for ${offered.join(', ')}`,
      );
    }
    const parsed = parseRows(request.body.toString('utf8'), widthOf(model));
    if ('problem' in parsed) return text(400, `${parsed.problem}; nothing was predicted`);
    const lineType = type === 'text/csv' ? 'text/csv' : 'application/jsonlines';
    const lines = parsed.rows.map((row, r) => predictLine(model, row, lineType, `row ${r + 1}`));
    const body =
      type === 'application/json'
        ? JSON.stringify({ predictions: lines.map((line) => JSON.parse(line) as unknown) })
        : `${lines.join('\n')}\n`;
    return { status: 200, contentType: type, body, job: champion.job };
  };
}
