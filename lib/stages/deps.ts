import type { Logger } from '../logger';
import type {
  EndpointBackend,
  ModelRegistry,
  Notifier,
  ObjectStore,
  ScoringBackend,
  TrainingBackend,
} from '../ports';
import type { Config } from '../settings/config';
import type { MergeEngine } from './merge-context';

/** Everything a stage may need; each handler takes the part it uses. */
export interface Deps {
  config: Config;
  store: ObjectStore;
  trainer: TrainingBackend;
  /** Absent when model registration is off (and in local mode). */
  registry?: ModelRegistry;
  /** Models and batch transforms: evaluation scores every completed model with it. */
  scorer?: ScoringBackend;
  notifier: Notifier;
  logger: Logger;
}

export type MergeDeps = Pick<Deps, 'config' | 'store' | 'notifier' | 'logger'> & {
  /** The CSV engine (default: the streaming merge); tests substitute one that fails on purpose. */
  engine?: MergeEngine;
  /** How messages name an input (default: its key); the CLI names the user's own files. */
  fileLabel?: (key: string) => string;
};
export type TrainDeps = Pick<Deps, 'config' | 'store' | 'trainer' | 'notifier' | 'logger'>;
export type CompleteDeps = Pick<
  Deps,
  'config' | 'store' | 'trainer' | 'registry' | 'scorer' | 'notifier' | 'logger'
>;
export type EvaluateDeps = Pick<Deps, 'config' | 'store' | 'registry' | 'notifier' | 'logger'> & {
  scorer: ScoringBackend;
  /**
   * SageMaker hosting, for the datasets' opt-in serverless endpoints; absent
   * in local mode, where `sagedrop serve` answers from the champion itself.
   */
  endpoints?: EndpointBackend;
};

export type PredictDeps = Pick<Deps, 'config' | 'store' | 'notifier' | 'logger'> & {
  scorer: ScoringBackend;
};

/**
 * The invocation a stage runs in. Every stage entry takes `(deps, input,
 * invocation)` and answers with a result discriminated on `outcome`.
 */
export interface Invocation {
  /**
   * Who does the work: Lambda's request id, kept across its retries (a redrive
   * comes with a new one). Claims and sent-once records name it.
   */
  requestId: string;
  /** The clock (default: the system's); tests move it. */
  now?: () => Date;
}
