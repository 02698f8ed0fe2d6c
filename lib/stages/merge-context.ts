import type { MergeOptions, MergeSummary, OpenOutput } from '../csv/types';
import type { RawFile } from '../layout';
import type { Logger } from '../logger';
import type { Notifier, ObjectRef, ObjectStore } from '../ports';
import type { Config } from '../settings/config';
import type { RunManifest } from '../training/manifest';

/** The CSV engine: merges x and y into the output files and summarises what it wrote. */
export type MergeEngine = (
  x: AsyncIterable<Uint8Array>,
  y: AsyncIterable<Uint8Array>,
  open: OpenOutput,
  options: MergeOptions,
) => Promise<MergeSummary>;

/**
 * What pairing a dataset's uploads and merging the claimed run work with: the
 * stage's dependencies and invocation, narrowed to one dataset. Claims and
 * rejection reports take the parts they need.
 */
export interface MergeContext {
  store: ObjectStore;
  notifier: Notifier;
  bucket: string;
  defaults: Config['defaults'];
  dataset: string;
  /** The invocation (Lambda's request id, kept across its retries): who holds claims and sends notifications. */
  owner: string;
  now: () => Date;
  logger: Logger;
  engine: MergeEngine;
  /** The merge function's memory, when known: inputs too large for it are refused before any work. */
  mergeMemoryMb: number | undefined;
  /** How messages name an input: its key, or the user's own file name in the CLI. */
  fileLabel: (key: string) => string;
}

/** An object-created notification, as far as the merge needs it. */
export interface RawUpload {
  key: string;
  etag?: string;
  versionId?: string;
}

export type MergeOutcome =
  /** Not an input; an upload under raw/ comes with its dataset and why (the owner was told). */
  | { outcome: 'ignored'; key: string; dataset?: string; reason?: string }
  /** Nothing to do until the user uploads what `reason` names. */
  | { outcome: 'waiting'; dataset: string; reason: string; missing: RawFile[] }
  /** Another live invocation is merging these inputs. */
  | { outcome: 'in-progress'; dataset: string; run: string; by: string }
  /** The run's manifest exists; `created` when this invocation wrote it. */
  | {
      outcome: 'committed';
      dataset: string;
      run: string;
      manifestKey: string;
      manifest: RunManifest;
      created: boolean;
    }
  | { outcome: 'rejected'; dataset: string; run?: string; reportKey: string; message: string };

/** A pair of uploads this invocation holds the claims on: the merge's to turn into a run or a rejection. */
export interface ClaimedRun {
  outcome: 'claimed';
  run: string;
  x: ObjectRef;
  y: ObjectRef;
  settings: ObjectRef | undefined;
  /** The claims' input tokens, to release them again. */
  tokens: { x: string; y: string };
  manifestKey: string;
  /** The dataset's logger with the run appended. */
  logger: Logger;
}
