import { keys, s3Uri } from '../layout';
import type { ObjectStore, ScoringBackend } from '../ports';
import type { Config } from '../settings/config';
import type { CatalogEntry } from '../training/catalog';
import { JOB_TAGS } from '../training/job-tags';
import { runManifestSchema } from '../training/manifest';
import { type ChampionPointer, readChampion } from './champion';
import { type PromotionSettings, promotionSettings } from './decision';
import { type ModelKind, modelKindOf } from './predictions';
import type { ChannelFiles } from './score';
import {
  buildModelRequest,
  buildTransformRequest,
  evaluationTransformName,
  isScoredAlgorithm,
  modelNameOf,
  type ScoringRole,
} from './transform';

export const PLAN_SCHEMA_VERSION = '1.0';

/** One model to score: its transform job, its SageMaker model and where the output goes. */
export interface PlannedScoring {
  job: string;
  transformJob: string;
  modelName: string;
  image: string;
  modelArtifact: string;
  kind: ModelKind;
  outputPrefix: string;
}

/**
 * `evaluation/<dataset>/<job>/plan.json`: what the evaluation of a job scores,
 * written once before any transform starts, so every later step (and every
 * duplicate) works from the same champion, rows and settings.
 */
export interface EvaluationPlan {
  schemaVersion: typeof PLAN_SCHEMA_VERSION;
  dataset: string;
  run: string;
  job: string;
  trainingEndedAt: string;
  featureCount: number;
  test: ChannelFiles & { prefix: string; rows: number };
  train: ChannelFiles;
  promotion: PromotionSettings;
  challenger: PlannedScoring;
  champion?: PlannedScoring & { pointer: ChampionPointer };
  /** Why the dataset's champion is not scored on these rows, when it is not. */
  championSkipped?: string;
}

export type PlanOutcome = { plan: EvaluationPlan } | { skipped: string };

/** The stored plan of `job`, or `undefined` when it has none. */
export async function readEvaluationPlan(
  store: ObjectStore,
  dataset: string,
  job: string,
): Promise<EvaluationPlan | undefined> {
  const text = await store.getText(keys.evaluationPlan(dataset, job));
  if (text === undefined) return undefined;
  try {
    const plan = JSON.parse(text) as EvaluationPlan;
    return plan?.schemaVersion === PLAN_SCHEMA_VERSION && plan.job === job && plan.dataset === dataset
      ? plan
      : undefined;
  } catch {
    return undefined;
  }
}

function scoring(
  config: Pick<Config, 'bucket' | 'jobPrefix'>,
  dataset: string,
  challengerJob: string,
  role: ScoringRole,
  model: { job: string; image: string; modelArtifact: string; kind: ModelKind },
): PlannedScoring {
  return {
    job: model.job,
    transformJob: evaluationTransformName(config.jobPrefix, challengerJob, role),
    modelName: modelNameOf(model.job),
    image: model.image,
    modelArtifact: model.modelArtifact,
    kind: model.kind,
    outputPrefix: keys.evaluationOutput(dataset, challengerJob, role),
  };
}

/** Why the champion cannot be compared on the challenger's rows, or `undefined` when it can. */
function championProblem(
  champion: ChampionPointer,
  kind: ModelKind,
  featureCount: number,
): string | undefined {
  if (!isScoredAlgorithm(champion.kind?.algorithm ?? ''))
    return `the champion ${champion.job} uses ${champion.algorithm}, whose output sagedrop does not read`;
  if (champion.task !== kind.task)
    return `the champion ${champion.job} is a ${champion.task} model, this one ${kind.task}`;
  if (champion.featureCount !== featureCount) {
    return `the champion ${champion.job} takes ${champion.featureCount} features, these rows have ${featureCount}`;
  }
  return undefined;
}

/**
 * What the evaluation of a Completed job scores, or why it is not evaluated:
 * the run's test rows, the job's model and, when the dataset has a comparable
 * champion, the champion's model on the same rows.
 */
export async function planEvaluation(
  store: ObjectStore,
  config: Pick<Config, 'bucket' | 'jobPrefix'>,
  entry: CatalogEntry,
): Promise<PlanOutcome> {
  const parsed = runManifestSchema.safeParse(entry.manifest);
  if (!parsed.success || !entry.run)
    return { skipped: 'the run manifest is not readable, so its test rows are unknown' };
  const manifest = parsed.data;
  const test = manifest.channels.test;
  if (!test || test.rows === 0) {
    return {
      skipped: `run ${entry.run} has no test rows: set "testFraction" above 0 in sagedrop.json to evaluate models`,
    };
  }
  const kind = modelKindOf(entry.algorithm, entry.hyperparameters);
  if (!kind) return { skipped: `sagedrop does not read the predictions of ${entry.algorithm} models` };
  if (!entry.modelArtifact || !entry.image || !entry.trainingEndedAt) {
    return { skipped: 'the job has no model artifact, image or end time to score' };
  }
  const challenger = scoring(config, entry.dataset, entry.job, 'challenger', {
    job: entry.job,
    image: entry.image,
    modelArtifact: entry.modelArtifact,
    kind,
  });
  const plan: EvaluationPlan = {
    schemaVersion: PLAN_SCHEMA_VERSION,
    dataset: entry.dataset,
    run: entry.run,
    job: entry.job,
    trainingEndedAt: entry.trainingEndedAt,
    featureCount: manifest.featureCount,
    test: { prefix: test.prefix, files: test.files, rows: test.rows, labelFirst: test.labelFirst },
    train: { files: manifest.channels.train.files, labelFirst: manifest.channels.train.labelFirst },
    promotion: promotionSettings(manifest.settings),
    challenger,
  };
  const champion = await readChampion(store, entry.dataset);
  if (champion && champion.job !== entry.job) {
    const problem = championProblem(champion, kind, manifest.featureCount);
    if (problem) plan.championSkipped = problem;
    else {
      plan.champion = {
        ...scoring(config, entry.dataset, entry.job, 'champion', champion),
        pointer: champion,
      };
    }
  }
  return { plan };
}

/**
 * Stores the plan unless the job has one, and returns the stored one: two
 * racing invocations start the same transforms.
 */
export async function commitEvaluationPlan(
  store: ObjectStore,
  plan: EvaluationPlan,
): Promise<EvaluationPlan> {
  const key = keys.evaluationPlan(plan.dataset, plan.job);
  const { created } = await store.put(key, `${JSON.stringify(plan, null, 2)}\n`, {
    contentType: 'application/json',
    ifAbsent: true,
  });
  if (created) return plan;
  return (await readEvaluationPlan(store, plan.dataset, plan.job)) ?? plan;
}

/** The models a plan scores: the challenger, and the champion when it has one. */
export function plannedModels(plan: EvaluationPlan): PlannedScoring[] {
  return plan.champion ? [plan.challenger, plan.champion] : [plan.challenger];
}

/**
 * Creates the SageMaker model and the batch transform of every model in the
 * plan, all at once; names are deterministic, so a repeat creates nothing new.
 */
export async function startScoring(
  scorer: ScoringBackend,
  config: Pick<Config, 'bucket' | 'sagemakerRoleArn' | 'stackName'>,
  plan: EvaluationPlan,
): Promise<void> {
  const tags = {
    [JOB_TAGS.dataset]: plan.dataset,
    [JOB_TAGS.job]: plan.job,
    [JOB_TAGS.stack]: config.stackName,
  };
  await Promise.all(
    plannedModels(plan).map(async (model) => {
      await scorer.createModel(
        buildModelRequest({
          modelName: model.modelName,
          image: model.image,
          modelDataUrl: model.modelArtifact,
          roleArn: config.sagemakerRoleArn,
          tags: {
            [JOB_TAGS.dataset]: plan.dataset,
            [JOB_TAGS.job]: model.job,
            [JOB_TAGS.stack]: config.stackName,
          },
        }),
      );
      await scorer.createTransformJob(
        buildTransformRequest({
          name: model.transformJob,
          modelName: model.modelName,
          algorithm: model.kind.algorithm,
          inputUri: s3Uri(config.bucket, plan.test.prefix),
          outputUri: s3Uri(config.bucket, model.outputPrefix),
          labelFirst: plan.test.labelFirst,
          tags,
        }),
      );
    }),
  );
}
