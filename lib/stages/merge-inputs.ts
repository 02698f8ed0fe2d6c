import { DatasetRejectedError } from '../csv/errors';
import { type InputPlan, type InspectOptions, inspectInputs, mergeInputs } from '../csv/inspect';
import type { MergeOptions } from '../csv/types';
import type { ObjectRef, ObjectStore } from '../ports';
import { numericPolicy, type Settings, trainsOnLabel } from '../settings/dataset';
import { deriveHyperparameters, type RunFacts } from '../training/algorithms';
import { TrainingConfigError } from '../training/errors';
import type { RunManifest, RunTask } from '../training/manifest';

/** How the merge stage names the files in messages. */
export interface InputNames {
  dataset: string;
  xFile: string;
  yFile: string;
  settingsFile: string;
}

/** A merge that passed every check that can be made before writing anything. */
export interface PreparedMerge {
  plan: InputPlan;
  options: MergeOptions;
  /** Opens both inputs as the engine reads them. */
  open(): { x: AsyncIterable<Uint8Array>; y: AsyncIterable<Uint8Array> };
}

/** The task as the manifest records it. */
export function runTask(plan: InputPlan): RunTask {
  const task: RunTask = { type: plan.labels.task, reason: plan.labels.reason };
  if (plan.labels.classes) task.classes = plan.labels.classes;
  return task;
}

/** What the labels will look like in the channels, as far as choosing hyperparameters goes. */
function expectedLabels(plan: InputPlan): RunManifest['labels'] {
  const classes = plan.labels.classes;
  if (classes) {
    return {
      distinct: classes.map((_, code) => String(code)),
      moreDistinct: false,
      numeric: true,
      integer: true,
      min: 0,
      max: classes.length - 1,
    };
  }
  return { distinct: [], moreDistinct: true, numeric: plan.labelsAreNumbers, integer: false };
}

/**
 * Checks the settings against what the inspection found, before the merge
 * writes anything: the hyperparameters the training job will need (k-means
 * `k` given and no larger than the rows, objectives that fit the classes,
 * labels that fit the task). Throws `DatasetRejectedError` naming the
 * settings file.
 */
export function checkBeforeMerge(settings: Settings, plan: InputPlan, names: InputNames): void {
  if (settings.algorithm === 'custom') return;
  const facts: RunFacts = {
    dataset: names.dataset,
    featureCount: plan.featureCount,
    labels: expectedLabels(plan),
    // Every row could go to training: only what no split can satisfy is rejected here.
    rows: { total: plan.labelRows, train: plan.labelRows, validation: 0, test: 0 },
    task: runTask(plan),
  };
  try {
    deriveHyperparameters(settings.algorithm, facts, settings.hyperparameters);
  } catch (error) {
    if (!(error instanceof TrainingConfigError)) throw error;
    throw new DatasetRejectedError(
      'SETTINGS_IMPOSSIBLE',
      error.message,
      { file: names.settingsFile },
      'Nothing was merged: upload the file the message names again, fixed, to start the run.',
      { cause: error },
    );
  }
}

/**
 * Inspects x.csv and y.csv (format, index columns, headers, task and classes),
 * checks the settings against them, and returns how to run the merge.
 * Throws `DatasetRejectedError` for what the user must fix.
 */
export async function prepareMerge(
  store: ObjectStore,
  refs: { x: ObjectRef; y: ObjectRef },
  settings: Settings,
  names: InputNames,
): Promise<PreparedMerge> {
  const inspect: InspectOptions = {
    xFile: names.xFile,
    yFile: names.yFile,
    settingsFile: names.settingsFile,
    numeric: numericPolicy(settings.algorithm),
  };
  if (settings.delimiter !== undefined) inspect.delimiter = settings.delimiter;
  if (settings.indexColumn !== undefined) inspect.indexColumn = settings.indexColumn;
  if (settings.task !== undefined) inspect.task = settings.task;
  const plan = await inspectInputs(
    (options) => store.read(refs.x, options),
    (options) => store.read(refs.y, options),
    inspect,
  );
  checkBeforeMerge(settings, plan, names);
  const options: MergeOptions = {
    xFile: names.xFile,
    yFile: names.yFile,
    validationFraction: settings.validationFraction,
    testFraction: settings.testFraction,
    splitSeed: settings.splitSeed,
    numeric: inspect.numeric,
    labelInTraining: trainsOnLabel(settings.algorithm),
    droppedColumns: { x: plan.x.indexColumn ? 1 : 0, y: plan.y.indexColumn ? 1 : 0 },
  };
  return {
    plan,
    options,
    // The engine and the rewriters never read a chunk after asking for the next: the store may reuse its buffers.
    open: () =>
      mergeInputs(
        store.read(refs.x, { borrowChunks: true }),
        store.read(refs.y, { borrowChunks: true }),
        plan,
        inspect,
      ),
  };
}
