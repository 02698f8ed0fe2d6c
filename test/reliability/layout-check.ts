import { PREFIX } from '../../lib/layout';
import { describeIgnoredUpload } from '../../lib/stages/ignored-upload';
import { INVALID_FOLDER_DATASET } from '../../lib/stages/merge-rejection';
import { listKeys, type Upload } from './checks';
import type { FaultyStack } from './faulty-stack';
import type { DatasetPlan } from './plan';

/**
 * Every key in the bucket is a user upload or sits where `lib/layout.ts` puts
 * it, under the folder of a dataset that exists; and no two datasets share a
 * training job name, even ignoring case (SageMaker does).
 */
export async function checkLayout(
  stack: FaultyStack,
  plans: DatasetPlan[],
  uploads: Upload[],
): Promise<string[]> {
  const problems: string[] = [];
  const uploaded = new Set(uploads.map((u) => u.key));
  const datasets = new Set(plans.filter((p) => p.kind !== 'invalid-folder').map((p) => p.name));
  // Uploads the pipeline never reads get an "Upload Ignored" record in their folder's dataset.
  const ignoredFolders = new Set(uploads.map((u) => describeIgnoredUpload(u.key)?.dataset).filter(Boolean));
  const jobsOf = new Map<string, string>();
  for (const request of stack.sagemaker.requests) {
    const name = request.TrainingJobName ?? '';
    const dataset = stack.jobDataset(name) ?? '';
    const other = jobsOf.get(name.toLowerCase());
    if (other !== undefined && other !== dataset)
      problems.push(`job name ${name} is shared by "${other}" and "${dataset}"`);
    jobsOf.set(name.toLowerCase(), dataset);
  }
  for (const key of await listKeys(stack, '')) {
    if (key.startsWith(PREFIX.raw)) {
      if (!uploaded.has(key)) problems.push(`the pipeline wrote ${key} under raw/`);
      continue;
    }
    const [top = '', dataset = '', next = ''] = key.split('/');
    const folder = `${top}/`;
    const own = datasets.has(dataset);
    const reportFolder =
      ((folder === PREFIX.errors || folder === PREFIX.notifications) && dataset === INVALID_FOLDER_DATASET) ||
      (folder === PREFIX.notifications && ignoredFolders.has(dataset) && next.startsWith('ignored-'));
    if (!Object.values(PREFIX).includes(folder as (typeof PREFIX)[keyof typeof PREFIX])) {
      problems.push(`${key} is outside the layout`);
    } else if (!own && !reportFolder) {
      problems.push(`${key} is under a folder that is no dataset`);
    } else if (folder === PREFIX.models && jobsOf.get(next.toLowerCase()) !== dataset) {
      problems.push(`${key} is a model of a job that did not train on ${dataset}`);
    }
  }
  return problems;
}
