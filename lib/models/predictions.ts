import type { Task } from './metrics';
import type { ScoredAlgorithm } from './transform';

/** A row or prediction line cannot be read. Not retryable: the data will not change. */
export class PredictionFormatError extends Error {
  override readonly name = 'PredictionFormatError';
  readonly code = 'PREDICTION_FORMAT';
}

/** What a model is and answers: enough to read its predictions. */
export interface ModelKind {
  algorithm: ScoredAlgorithm;
  task: Task;
  /** Classes of a classifier (2 for binary). */
  classes?: number;
  /** XGBoost's objective, which decides its output. */
  objective?: string;
}

/** One prediction: a class or value, the score of class 1 for a binary classifier, k-means' distance. */
export interface Prediction {
  predicted: number;
  score?: number;
  /** Squared distance to the closest centroid (k-means). */
  squaredDistance?: number;
}

/**
 * The task and classes of a model from its algorithm and hyperparameters, as
 * the train stage derived them; `undefined` for an algorithm whose output
 * sagedrop does not read.
 */
export function modelKindOf(
  algorithm: string,
  hyperparameters: Record<string, string>,
): ModelKind | undefined {
  if (algorithm === 'kmeans') return { algorithm, task: 'clustering' };
  if (algorithm === 'linear-learner') {
    const type = hyperparameters.predictor_type;
    if (type === 'regressor') return { algorithm, task: 'regression' };
    if (type === 'binary_classifier') return { algorithm, task: 'classification', classes: 2 };
    if (type === 'multiclass_classifier') {
      return { algorithm, task: 'classification', classes: Number(hyperparameters.num_classes) || 3 };
    }
    return undefined;
  }
  if (algorithm === 'xgboost') {
    const objective = hyperparameters.objective ?? 'reg:squarederror';
    if (objective.startsWith('binary:')) return { algorithm, task: 'classification', classes: 2, objective };
    if (objective === 'multi:softmax' || objective === 'multi:softprob') {
      return {
        algorithm,
        task: 'classification',
        classes: Number(hyperparameters.num_class) || 3,
        objective,
      };
    }
    if (objective.startsWith('reg:')) return { algorithm, task: 'regression', objective };
    return undefined;
  }
  return undefined;
}

function numberAt(value: unknown, what: string, where: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n))
    throw new PredictionFormatError(`${where}: ${what} is ${JSON.stringify(value)}, not a number`);
  return n;
}

function argmax(values: number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i += 1) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

/**
 * Reads one line of a built-in's batch transform output: linear learner's JSON
 * line (`{"score":..,"predicted_label":..}`), k-means' CSV
 * `closest_cluster,distance_to_cluster` (a Euclidean distance, squared here),
 * XGBoost's CSV value or probability vector.
 */
export function parsePrediction(kind: ModelKind, line: string, where: string): Prediction {
  if (kind.algorithm === 'linear-learner') {
    let record: { score?: unknown; predicted_label?: unknown };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      throw new PredictionFormatError(`${where}: not a JSON line: ${line.slice(0, 80)}`);
    }
    if (kind.task === 'regression') return { predicted: numberAt(record.score, 'score', where) };
    const predicted = numberAt(record.predicted_label, 'predicted_label', where);
    if (kind.classes === 2 && typeof record.score === 'number') return { predicted, score: record.score };
    return { predicted };
  }
  const values = line.split(',').map((v, i) => numberAt(v.trim(), `value ${i + 1}`, where));
  if (kind.algorithm === 'kmeans') {
    if (values.length < 2)
      throw new PredictionFormatError(`${where}: expected closest_cluster,distance_to_cluster`);
    const distance = values[1] as number;
    return { predicted: values[0] as number, squaredDistance: distance * distance };
  }
  const objective = kind.objective ?? '';
  if (objective === 'multi:softprob' || values.length > 1) return { predicted: argmax(values) };
  const value = values[0] as number;
  if (objective === 'binary:logistic') return { predicted: value >= 0.5 ? 1 : 0, score: value };
  return { predicted: value };
}

/** The values of a CSV row of the merge's output (numbers, no header). */
export function parseRow(line: string, where: string): number[] {
  return line
    .split(',')
    .map((v, i) => numberAt(v.trim().replace(/^"(.*)"$/, '$1'), `column ${i + 1}`, where));
}

/** Lines of a byte stream, without line ends; a last line without LF counts, trailing empty lines do not. */
export async function* readLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = '';
  let blank = 0;
  const emit = function* (line: string) {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text === '') {
      blank += 1;
      return;
    }
    for (; blank > 0; blank -= 1) yield '';
    yield text;
  };
  for await (const chunk of chunks) {
    pending += decoder.decode(chunk, { stream: true });
    let lf = pending.indexOf('\n');
    while (lf >= 0) {
      yield* emit(pending.slice(0, lf));
      pending = pending.slice(lf + 1);
      lf = pending.indexOf('\n');
    }
  }
  pending += decoder.decode();
  if (pending !== '') yield* emit(pending);
}
