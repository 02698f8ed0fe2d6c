import type { Logger } from '../logger';
import type { ModelRegistry, Notifier, ObjectStore, TrainingBackend } from '../ports';
import type { Config } from '../settings/config';

/** Everything a stage may need; each handler takes the part it uses. */
export interface Deps {
  config: Config;
  store: ObjectStore;
  trainer: TrainingBackend;
  /** Absent when model registration is off (and in local mode). */
  registry?: ModelRegistry;
  notifier: Notifier;
  logger: Logger;
}

export type MergeDeps = Pick<Deps, 'config' | 'store' | 'notifier' | 'logger'>;
export type TrainDeps = Pick<Deps, 'config' | 'store' | 'trainer' | 'notifier' | 'logger'>;
export type CompleteDeps = Pick<Deps, 'config' | 'store' | 'trainer' | 'registry' | 'notifier' | 'logger'>;
