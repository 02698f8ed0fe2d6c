import type { ObjectStore } from '../ports';
import { type Baseline, TrainingSummary } from './baseline';
import {
  ClassificationAccumulator,
  ClusteringAccumulator,
  type Metrics,
  RegressionAccumulator,
  squaredDistance,
  type Task,
} from './metrics';
import {
  type ModelKind,
  type Prediction,
  PredictionFormatError,
  parsePrediction,
  parseRow,
  readLines,
} from './predictions';

/** The rows of a channel: its files in order, and whether each row starts with the label. */
export interface ChannelFiles {
  files: string[];
  labelFirst: boolean;
}

/** A model whose transform output sits under `outputPrefix` (`<file name>.out` per input file). */
export interface ScoredModel {
  kind: ModelKind;
  outputPrefix: string;
}

interface Accumulator {
  add(label: number | undefined, features: number[], prediction: Prediction | undefined): void;
  result(): Metrics;
}

function accumulatorFor(task: Task, where: string): Accumulator {
  if (task === 'classification') {
    const acc = new ClassificationAccumulator();
    return {
      add: (label, _features, p) => acc.add(label as number, (p as Prediction).predicted, p?.score),
      result: () => acc.result(),
    };
  }
  if (task === 'regression') {
    const acc = new RegressionAccumulator();
    return {
      add: (label, _f, p) => acc.add(label as number, (p as Prediction).predicted),
      result: () => acc.result(),
    };
  }
  const acc = new ClusteringAccumulator();
  return {
    add: (_label, _features, p) => {
      if (p?.squaredDistance === undefined)
        throw new PredictionFormatError(`${where}: no distance_to_cluster`);
      acc.add(p.squaredDistance);
    },
    result: () => acc.result(),
  };
}

function baselineAccumulator(baseline: Baseline): Accumulator {
  if (baseline.task === 'classification') {
    const acc = new ClassificationAccumulator();
    // A constant classifier has no ranking: its ROC AUC is 0.5, so its score is a constant too.
    return {
      add: (label) => acc.add(label as number, baseline.predictedClass, 0.5),
      result: () => acc.result(),
    };
  }
  if (baseline.task === 'regression') {
    const acc = new RegressionAccumulator();
    return { add: (label) => acc.add(label as number, baseline.predictedValue), result: () => acc.result() };
  }
  const acc = new ClusteringAccumulator();
  return {
    add: (_l, features) => acc.add(squaredDistance(features, baseline.centroid)),
    result: () => acc.result(),
  };
}

function fileName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

async function* objectLines(store: ObjectStore, key: string): AsyncGenerator<string> {
  const ref = await store.head(key);
  if (!ref) throw new PredictionFormatError(`${key} does not exist`);
  yield* readLines(store.read(ref));
}

function split(values: number[], labelFirst: boolean): { label: number | undefined; features: number[] } {
  return labelFirst
    ? { label: values[0], features: values.slice(1) }
    : { label: undefined, features: values };
}

/** Fits the baseline on the training rows, read once, row by row. */
export async function fitBaseline(store: ObjectStore, task: Task, train: ChannelFiles): Promise<Baseline> {
  const summary = new TrainingSummary(task);
  for (const key of train.files) {
    let row = 0;
    for await (const line of objectLines(store, key)) {
      row += 1;
      const { label, features } = split(parseRow(line, `${key} row ${row}`), train.labelFirst);
      summary.add(label, features);
    }
  }
  return summary.baseline();
}

/**
 * Scores every model on the test rows, streaming each test file beside each
 * model's output for it, line by line: the i-th output line answers the i-th
 * row. Returns each model's metrics and the baseline's, all on the same rows.
 * Throws `PredictionFormatError` when an output has more or fewer lines than
 * its input or a line cannot be read.
 */
export async function scoreTestRows(
  store: ObjectStore,
  task: Task,
  test: ChannelFiles,
  baseline: Baseline,
  models: ScoredModel[],
): Promise<{ models: Metrics[]; baseline: Metrics; rows: number }> {
  const accumulators = models.map((m) => accumulatorFor(task, m.outputPrefix));
  const constant = baselineAccumulator(baseline);
  let rows = 0;
  for (const key of test.files) {
    const outputs = models.map((m) => `${m.outputPrefix}${fileName(key)}.out`);
    const readers = outputs.map((out) => objectLines(store, out)[Symbol.asyncIterator]());
    let row = 0;
    for await (const line of objectLines(store, key)) {
      row += 1;
      const { label, features } = split(parseRow(line, `${key} row ${row}`), test.labelFirst);
      for (let m = 0; m < models.length; m += 1) {
        const next = await (readers[m] as AsyncIterator<string>).next();
        if (next.done) {
          throw new PredictionFormatError(`${outputs[m]} has ${row - 1} lines but ${key} has more rows`);
        }
        const prediction = parsePrediction(
          (models[m] as ScoredModel).kind,
          next.value,
          `${outputs[m]} line ${row}`,
        );
        (accumulators[m] as Accumulator).add(label, features, prediction);
      }
      constant.add(label, features, undefined);
    }
    for (let m = 0; m < models.length; m += 1) {
      const extra = await (readers[m] as AsyncIterator<string>).next();
      if (!extra.done)
        throw new PredictionFormatError(`${outputs[m]} has more lines than the ${row} rows of ${key}`);
    }
    rows += row;
  }
  return { models: accumulators.map((a) => a.result()), baseline: constant.result(), rows };
}
