import { join } from 'node:path';
import * as z from 'zod';
import { groupThousands } from '../lib/format';
import { parseS3Uri, s3Uri } from '../lib/layout';
import { formatNumber } from '../lib/notifications/render';
import { type RunTask, runManifestSchema } from '../lib/training/manifest';

/** The fields of a catalog entry the summary shows; the rest is for `--json`. */
const shownEntrySchema = z.lazy(() =>
  z.object({
    dataset: z.string(),
    job: z.string(),
    status: z.string(),
    algorithm: z.string(),
    failureReason: z.string().optional(),
    hint: z.string().optional(),
    metrics: z.record(z.string(), z.number()),
    modelArtifact: z.string().optional(),
    trainingSeconds: z.number().optional(),
    manifest: z.unknown(),
    evaluation: z.object({ summary: z.string(), reason: z.string(), hint: z.string().optional() }).optional(),
  }),
);

/** `classification, 3 classes (setosa, versicolor, virginica): <why>`. */
function taskLine(task: RunTask): string {
  const classes = task.classes ?? [];
  const shown = classes.slice(0, 10).join(', ') + (classes.length > 10 ? ', ...' : '');
  return `${task.type}${classes.length > 0 ? `, ${classes.length} classes (${shown})` : ''}: ${task.reason}`;
}

export interface SummaryPlaces {
  bucket: string;
  catalogKey: string;
  /** The folder the bucket's objects were copied to as plain files, if any. */
  exportDir?: string;
}

/** `s3://bucket/key`, and the plain file it was exported to. */
function place(uri: string, places: SummaryPlaces): string {
  const parsed = parseS3Uri(uri);
  if (!places.exportDir || !parsed || parsed.bucket !== places.bucket) return uri;
  return `${uri}\n    file ${join(places.exportDir, ...parsed.key.split('/'))}`;
}

/**
 * What `sagedrop local` and the demo print when a run ends: the run and its
 * rows per channel, the task, the job and its metrics, the evaluation's
 * verdict, and where the model and the catalog entry are. `undefined` when `entry` is not a catalog entry.
 */
export function formatLocalSummary(entry: unknown, places: SummaryPlaces): string[] | undefined {
  const parsed = shownEntrySchema.safeParse(entry);
  if (!parsed.success) return undefined;
  const shown = parsed.data;
  const lines: string[] = [];
  const manifest = runManifestSchema.safeParse(shown.manifest);
  if (manifest.success) {
    const { rows, run, featureCount } = manifest.data;
    const channels = (['train', 'validation', 'test'] as const)
      .filter((name) => manifest.data.channels[name])
      .map((name) => `${name} ${groupThousands(rows[name])}`)
      .join(', ');
    lines.push(
      `run ${run}: ${groupThousands(rows.total)} rows, ${featureCount} feature${featureCount === 1 ? '' : 's'}: ${channels}`,
    );
  }
  const task = manifest.success ? manifest.data.task : undefined;
  if (task) lines.push(`task: ${taskLine(task)}`);
  const took = shown.trainingSeconds === undefined ? '' : ` in ${shown.trainingSeconds} s`;
  lines.push(`training job ${shown.job} (${shown.algorithm}): ${shown.status}${took}`);
  if (shown.failureReason) lines.push(`why: ${shown.failureReason}`);
  if (shown.hint) lines.push(`what to do: ${shown.hint}`);
  const metrics = Object.entries(shown.metrics).sort(([a], [b]) => a.localeCompare(b));
  if (metrics.length > 0) {
    lines.push(`metrics: ${metrics.map(([name, value]) => `${name}=${formatNumber(value)}`).join(', ')}`);
  }
  if (shown.evaluation) {
    const { summary, reason, hint } = shown.evaluation;
    lines.push(`evaluation: ${summary}`);
    if (!summary.includes(reason)) lines.push(`  why: ${reason}`);
    if (hint) lines.push(`  what to do: ${hint}`);
  }
  if (shown.modelArtifact) lines.push(`model: ${place(shown.modelArtifact, places)}`);
  lines.push(`catalog entry: ${place(s3Uri(places.bucket, places.catalogKey), places)}`);
  return lines;
}

/** A rejection as `sagedrop local` and `sagedrop merge` both print it: what is wrong, then what to do. */
export function formatRejection(message: string, hint: string | undefined): string {
  return `dataset rejected: ${message.replace(/\.$/, '')}.${hint ? ` ${hint}` : ''}`;
}

const reportSchema = z.lazy(() => z.object({ message: z.string(), hint: z.string().optional() }));

/** `formatRejection` of a stored rejection report's text, or `undefined` if it is not one. */
export function rejectionFromReport(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const report = reportSchema.safeParse(JSON.parse(text));
    return report.success ? formatRejection(report.data.message, report.data.hint) : undefined;
  } catch {
    return undefined;
  }
}
