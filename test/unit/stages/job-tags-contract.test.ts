import type { CreateTrainingJobRequest, DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { parseTrainingJobEvent } from '../../../lib/events/sagemaker';
import { keys } from '../../../lib/layout';
import { trainingStateChangeEvent } from '../../../lib/local/training/training-event';
import { silentLogger } from '../../../lib/logger';
import { completeTrainingJob } from '../../../lib/stages/complete';
import { startTraining } from '../../../lib/stages/train';
import { testConfig } from '../../support/config';
import { makeManifest } from '../../support/manifests';
import { trainWorld } from '../../support/stage-worlds';

/** What DescribeTrainingJob says once the job the train stage created has completed. */
function completed(request: CreateTrainingJobRequest, withChannels: boolean): DescribeTrainingJobResponse {
  const end = new Date('2026-01-01T01:00:00Z');
  const description: DescribeTrainingJobResponse = {
    TrainingJobName: request.TrainingJobName,
    TrainingJobArn: `arn:aws:sagemaker:eu-west-1:123456789012:training-job/${request.TrainingJobName}`,
    TrainingJobStatus: 'Completed',
    SecondaryStatus: 'Completed',
    AlgorithmSpecification: request.AlgorithmSpecification,
    HyperParameters: request.HyperParameters,
    ResourceConfig: request.ResourceConfig,
    StoppingCondition: request.StoppingCondition,
    ModelArtifacts: {
      S3ModelArtifacts: `${request.OutputDataConfig?.S3OutputPath}${request.TrainingJobName}/output/model.tar.gz`,
    },
    CreationTime: new Date(end.getTime() - 60_000),
    TrainingStartTime: new Date(end.getTime() - 30_000),
    TrainingEndTime: end,
    LastModifiedTime: end,
  } as DescribeTrainingJobResponse;
  if (withChannels) description.InputDataConfig = request.InputDataConfig;
  return description;
}

/** Starts the job of a committed run, then hands its completion event to the complete stage. */
async function trainThenComplete(dataset: string, withChannels: boolean) {
  const world = trainWorld();
  const manifest = makeManifest({ dataset });
  const manifestKey = keys.manifest(dataset, manifest.run);
  await world.store.put(manifestKey, JSON.stringify(manifest));
  const started = await startTraining(world.deps, manifestKey, { requestId: 'req-train' });
  expect(started.outcome).toBe('started');
  const request = [...world.trainer.jobs.values()][0] as CreateTrainingJobRequest;
  const description = completed(request, withChannels);
  const event = trainingStateChangeEvent(description, request.Tags ?? [], {
    region: 'eu-west-1',
    accountId: '123456789012',
    id: 'e1',
  });
  const trainer = {
    createTrainingJob: (r: CreateTrainingJobRequest) => world.trainer.createTrainingJob(r),
    describeTrainingJob: async () => description,
  };
  const result = await completeTrainingJob(
    {
      config: world.deps.config,
      store: world.store,
      trainer,
      notifier: world.notifier,
      logger: silentLogger,
    },
    parseTrainingJobEvent(event),
    { requestId: 'req-complete' },
  );
  return { manifest, result };
}

describe('job tags between the train and complete stages', () => {
  it('catalogs a job the train stage started under its dataset and run, from its tags alone', async () => {
    const { manifest, result } = await trainThenComplete('iris', false);
    expect(result).toMatchObject({
      outcome: 'cataloged',
      dataset: 'iris',
      run: manifest.run,
      entryKey: keys.catalogEntry('iris', `${testConfig.jobPrefix}--iris--${manifest.run}`),
    });
  });

  it('catalogs a job whose dataset name tags cannot hold under its exact name, from its train channel', async () => {
    const { manifest, result } = await trainThenComplete('ventes (T1)', true);
    expect(result).toMatchObject({ outcome: 'cataloged', dataset: 'ventes (T1)', run: manifest.run });
  });

  it('ignores rather than misfiles a job whose only clue is a sanitised dataset tag', async () => {
    const { result } = await trainThenComplete('ventes (T1)', false);
    expect(result).toMatchObject({ outcome: 'ignored' });
  });
});
