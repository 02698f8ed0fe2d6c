import { PassThrough, type Writable } from 'node:stream';
import type { InputPlan } from '../csv/inspect';
import type { MergeSummary, OpenOutput, OutputFile } from '../csv/types';
import { type Channel, keys } from '../layout';
import type { ObjectRef, ObjectStore } from '../ports';
import type { Settings } from '../settings/dataset';
import type { ManifestChannel, ManifestInput, RunManifest } from '../training/manifest';
import { ChunkHandoff } from './chunk-handoff';
import { runTask } from './merge-inputs';
import { partFileName, ShardedSink, type ShardPlan } from './merge-shards';

/** Bytes an output may hold before the engine waits for its upload. */
const SINK_BUFFER_BYTES = 1024 * 1024;

/** The object key each output file of a run is written to. */
export function outputKey(dataset: string, run: string, file: OutputFile): string {
  return file === 'test-labels' ? keys.testLabels(dataset, run) : keys.channel(dataset, run, file);
}

/**
 * The engine's output sinks, each streamed into the store as a multipart upload
 * while the merge runs. Nothing is buffered beyond the uploads' parts in flight.
 * A channel with a shard plan is written as `part-00000.csv`, `part-00001.csv`,
 * ... under its prefix instead of one `<channel>.csv`.
 */
export class RunOutputs {
  private readonly sinks = new Map<OutputFile, Writable>();
  private readonly keysWritten = new Map<OutputFile, string[]>();
  private readonly uploads: { sink: Writable; done: Promise<unknown> }[] = [];
  private aborting = false;
  private firstFailure: unknown;

  constructor(
    private readonly store: ObjectStore,
    private readonly dataset: string,
    private readonly run: string,
    private readonly shards: Partial<Record<OutputFile, ShardPlan>> = {},
  ) {}

  /** The `OpenOutput` to hand the engine. */
  readonly open: OpenOutput = (file: OutputFile): Writable => {
    const existing = this.sinks.get(file);
    if (existing) return existing;
    const plan = this.shards[file];
    const sink =
      plan && file !== 'test-labels'
        ? new ShardedSink(
            plan,
            (index) => this.upload(file, keys.channel(this.dataset, this.run, file, partFileName(index))),
            SINK_BUFFER_BYTES,
          )
        : this.upload(file, outputKey(this.dataset, this.run, file));
    this.sinks.set(file, sink);
    return sink;
  };

  /** Starts the upload of one object and returns the Writable that feeds it. */
  private upload(file: OutputFile, key: string): Writable {
    // A deep buffer lets the engine run ahead of the upload between parts instead of yielding every 16 KiB.
    const handoff = this.reusesChunks ? new ChunkHandoff(SINK_BUFFER_BYTES) : undefined;
    const sink = handoff ?? new PassThrough({ highWaterMark: SINK_BUFFER_BYTES });
    const done = this.store.put(key, handoff ?? (sink as PassThrough), { contentType: 'text/csv' });
    // Kept for `failure`; observed in finish() or abort(), never left as an unhandled rejection.
    done.catch((error: unknown) => {
      if (!this.aborting && this.firstFailure === undefined) this.firstFailure = error;
      // Nothing reads the sink any more: fail it, or the engine would wait forever for it to drain.
      sink.destroy(error instanceof Error ? error : new Error(String(error)));
    });
    this.uploads.push({ sink, done });
    const written = this.keysWritten.get(file) ?? [];
    written.push(key);
    this.keysWritten.set(file, written);
    return sink;
  }

  /** The object keys written for each output file, parts in order. */
  get files(): Partial<Record<OutputFile, string[]>> {
    return Object.fromEntries(this.keysWritten);
  }

  /**
   * Whether the engine may reuse an output chunk once its write callback ran:
   * true when the store is done with each chunk before it asks for the next,
   * so no fresh memory is taken per chunk written.
   */
  get reusesChunks(): boolean {
    return this.store.putReleasesChunks === true;
  }

  /**
   * The first upload that failed on its own (not through `abort`): the root
   * cause when the engine then fails on a sink that was closed under it.
   */
  get failure(): unknown {
    return this.firstFailure;
  }

  /** Waits until every output the engine ended is stored. */
  async finish(): Promise<void> {
    await Promise.all(this.uploads.map((u) => u.done));
  }

  /**
   * Fails every sink, which aborts its multipart upload, so that a rejected or
   * failed merge leaves no output object behind.
   */
  async abort(reason: Error): Promise<void> {
    this.aborting = true;
    for (const sink of this.sinks.values()) sink.destroy(reason);
    for (const { sink } of this.uploads) sink.destroy(reason);
    await Promise.allSettled(this.uploads.map((u) => u.done));
  }
}

export function manifestInput(ref: ObjectRef): ManifestInput {
  const input: ManifestInput = {
    key: ref.key,
    etag: ref.etag,
    size: ref.size,
    lastModified: ref.lastModified.toISOString(),
  };
  if (ref.versionId) input.versionId = ref.versionId;
  return input;
}

export interface ManifestParts {
  dataset: string;
  run: string;
  bucket: string;
  createdAt: Date;
  inputs: { x: ObjectRef; y: ObjectRef; settings?: ObjectRef | undefined };
  settings: Settings;
  /** Whether the rows of every channel start with the label. */
  labelInTraining: boolean;
  summary: MergeSummary;
  /** The keys each channel was written to (parts in order); one `<channel>.csv` when absent. */
  files?: Partial<Record<OutputFile, string[]>>;
  /** What the inspection decided before the merge. */
  plan?: InputPlan;
}

/** The run's manifest, from the engine's summary. */
export function buildManifest(parts: ManifestParts): RunManifest {
  const { dataset, run, summary } = parts;
  const channel = (name: Channel): ManifestChannel | undefined => {
    const rows = summary.rowsPerFile[name] ?? 0;
    if (rows === 0) return undefined;
    return {
      prefix: keys.channelPrefix(dataset, run, name),
      files: parts.files?.[name] ?? [keys.channel(dataset, run, name)],
      rows,
      bytes: summary.bytesPerFile[name] ?? 0,
      // Every channel of a supervised run leads with the label; k-means' test labels are a file of their own.
      labelFirst: parts.labelInTraining,
    };
  };
  const train = channel('train');
  if (!train) throw new Error(`run ${run} has no training rows: the engine must have rejected it`);
  const validation = channel('validation');
  const test = channel('test');
  const manifest: RunManifest = {
    schemaVersion: '1.0',
    dataset,
    run,
    createdAt: parts.createdAt.toISOString(),
    bucket: parts.bucket,
    inputs: { x: manifestInput(parts.inputs.x), y: manifestInput(parts.inputs.y) },
    rows: {
      total: summary.rows,
      train: train.rows,
      validation: validation?.rows ?? 0,
      test: test?.rows ?? 0,
    },
    featureCount: summary.featureCount,
    headerDropped: summary.headerDropped,
    labels: summary.labels,
    settings: parts.settings,
    channels: { train },
  };
  if (parts.plan) {
    manifest.task = runTask(parts.plan);
    manifest.inputFormat = { x: parts.plan.x, y: parts.plan.y };
    manifest.inferences = parts.plan.inferences;
  }
  if (parts.inputs.settings) manifest.inputs.settings = manifestInput(parts.inputs.settings);
  if (validation) manifest.channels.validation = validation;
  if (test) manifest.channels.test = test;
  if ((summary.rowsPerFile['test-labels'] ?? 0) > 0) manifest.testLabels = keys.testLabels(dataset, run);
  return manifest;
}
