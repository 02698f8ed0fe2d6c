import { keys } from '../layout';
import { ObjectChangedError, type ObjectStore, readObject } from '../ports';
import { isNewer } from '../training/catalog';
import type { MetricName } from './decision';
import type { Metrics, Task } from './metrics';
import type { ModelKind } from './predictions';

export const CHAMPION_SCHEMA_VERSION = '1.0';

/**
 * `catalog/<dataset>/champion.json`: the dataset's promoted model, the one
 * predictions use. Moves only to a model trained later than the current one
 * (by training end time, then job name), however promotions and approvals race.
 */
export interface ChampionPointer {
  schemaVersion: typeof CHAMPION_SCHEMA_VERSION;
  dataset: string;
  run?: string;
  job: string;
  trainingEndedAt: string;
  catalogKey: string;
  algorithm: string;
  image: string;
  modelArtifact: string;
  /** The SageMaker model (CreateModel) of the job. */
  modelName: string;
  modelPackageArn?: string;
  task: Task;
  /** What the model answers, to read its predictions. */
  kind: ModelKind;
  featureCount: number;
  /** The primary metric it was judged on, and its metrics on its own run's test rows. */
  metric: MetricName;
  metrics: Metrics;
  evaluationKey: string;
  /** How it got there: `promoted` by the evaluation, or `approved` by a person. */
  promotedBy: 'evaluation' | 'approval';
  /** When it became the champion (ISO 8601). */
  promotedAt?: string;
}

/** champion.json kept changing under this writer for too long. Retryable. */
export class ChampionContentionError extends Error {
  override readonly name = 'ChampionContentionError';
  readonly code = 'CHAMPION_CONTENTION';
}

const CAS_ATTEMPTS = 8;

function parseChampion(text: string, dataset: string): ChampionPointer | undefined {
  try {
    const value = JSON.parse(text) as ChampionPointer;
    const valid =
      value?.schemaVersion === CHAMPION_SCHEMA_VERSION &&
      value.dataset === dataset &&
      typeof value.job === 'string' &&
      typeof value.trainingEndedAt === 'string' &&
      typeof value.modelArtifact === 'string';
    return valid ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The dataset's champion, or `undefined` when it has none (or the pointer is unreadable). */
export async function readChampion(
  store: ObjectStore,
  dataset: string,
): Promise<ChampionPointer | undefined> {
  const text = await store.getText(keys.catalogChampion(dataset));
  return text === undefined ? undefined : parseChampion(text, dataset);
}

export type ChampionMove = 'moved' | 'already' | 'newer-champion';

/**
 * Makes `candidate` the champion unless the current one was trained later (or
 * is the same job). Compare-and-swap on the ETag of the version read, so two
 * promotions racing end with the later-trained model, never an older one.
 */
export async function advanceChampion(store: ObjectStore, candidate: ChampionPointer): Promise<ChampionMove> {
  const key = keys.catalogChampion(candidate.dataset);
  const body = `${JSON.stringify(candidate, null, 2)}\n`;
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt += 1) {
    const ref = await store.head(key);
    if (!ref) {
      if ((await store.put(key, body, { contentType: 'application/json', ifAbsent: true })).created) {
        return 'moved';
      }
      continue;
    }
    let current: ChampionPointer | undefined;
    try {
      current = parseChampion((await readObject(store, ref)).toString('utf8'), candidate.dataset);
    } catch (error) {
      if (error instanceof ObjectChangedError) continue;
      throw error;
    }
    if (current?.job === candidate.job) return 'already';
    if (current && !isNewer(candidate, current)) return 'newer-champion';
    if ((await store.put(key, body, { contentType: 'application/json', ifMatch: ref.etag })).created) {
      return 'moved';
    }
  }
  throw new ChampionContentionError(
    `${key} kept changing while job ${candidate.job} tried to become champion; retrying the event will finish it`,
  );
}
