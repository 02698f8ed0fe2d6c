import { keys } from '../layout';
import type { FinishedJob } from './finished-job';

/** Where SageMaker writes a training job's container logs. */
export const TRAINING_LOG_GROUP = '/aws/sagemaker/TrainingJobs';
/** Where SageMaker writes the logs of batch transform jobs. */
export const TRANSFORM_LOG_GROUP = '/aws/sagemaker/TransformJobs';

type JobFacts = Pick<
  FinishedJob,
  'status' | 'secondaryStatus' | 'failureReason' | 'maxRuntimeSeconds' | 'maxWaitSeconds' | 'instanceType'
>;

const matches = (text: string | undefined, pattern: RegExp) => text !== undefined && pattern.test(text);

/**
 * What the owner of `dataset` can do about a job that did not complete, in one
 * or two sentences naming the setting or file to change; `undefined` for a
 * Completed job.
 */
export function adviseOnFailure(job: JobFacts, dataset: string): string | undefined {
  if (job.status === 'Completed') return undefined;
  const settingsFile = keys.raw(dataset, 'settings');
  const again = `then upload x.csv and y.csv again to start a new run`;
  const reason = job.failureReason;
  if (job.secondaryStatus === 'MaxRuntimeExceeded' || matches(reason, /MaxRuntime/i)) {
    const now = job.maxRuntimeSeconds ? ` (now ${job.maxRuntimeSeconds} seconds)` : '';
    return `The job ran out of time${now}: raise "maxRuntimeSeconds" in ${settingsFile}, ${again}.`;
  }
  if (job.secondaryStatus === 'MaxWaitTimeExceeded' || matches(reason, /MaxWaitTime/i)) {
    const now = job.maxWaitSeconds ? ` (now ${job.maxWaitSeconds} seconds)` : '';
    return (
      `Spot capacity or training took longer than the wait limit${now}: raise "maxWaitSeconds" ` +
      `or set "spot": false in ${settingsFile}, ${again}.`
    );
  }
  if (job.status === 'Stopped') {
    return `Someone stopped the job (StopTrainingJob). To train again, ${again.replace(/^then /, '')}.`;
  }
  if (matches(reason, /capacity|ResourceLimitExceeded|quota/i)) {
    const type = job.instanceType ? ` for ${job.instanceType}` : '';
    return (
      `SageMaker had no capacity or quota${type}: set another "instanceType" in ${settingsFile} ` +
      `(or ask for a quota increase in Service Quotas), ${again}.`
    );
  }
  if (matches(reason, /out of memory|OutOfMemory|MemoryError|OOM/i)) {
    return `The instance ran out of memory: set a larger "instanceType" in ${settingsFile}, ${again}.`;
  }
  if (matches(reason, /AlgorithmError|ClientError/)) {
    return (
      `The algorithm rejected the data or the hyperparameters: check that the values are numeric ` +
      `and the hyperparameters in ${settingsFile} suit the algorithm, ${again}.`
    );
  }
  if (matches(reason, /InternalServerError|internal error/i)) {
    return `SageMaker had an internal error: nothing is wrong with the data; upload x.csv and y.csv again to retry.`;
  }
  return `Read the job's logs for the cause, fix the data or ${settingsFile}, ${again}.`;
}
