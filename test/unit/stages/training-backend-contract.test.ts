import {
  CreateTrainingJobCommand,
  SageMakerClient,
  SageMakerServiceException,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createSageMakerTrainer } from '../../../lib/aws/sagemaker';
import { keys } from '../../../lib/layout';
import { createLocalTrainer } from '../../../lib/local/training/trainer';
import type { TrainingBackend } from '../../../lib/ports';
import { startTraining } from '../../../lib/stages/train';
import { testConfig } from '../../support/config';
import { makeManifest } from '../../support/manifests';
import { trainWorld } from '../../support/stage-worlds';

const sagemaker = mockClient(SageMakerClient);
afterEach(() => sagemaker.reset());

/** SageMaker's answer to an instance type it does not offer for training. */
const INVALID_INSTANCE_TYPE = new SageMakerServiceException({
  name: 'ValidationException',
  message:
    "1 validation error detected: Value 'ml.m5.larg' at 'resourceConfig.instanceType' failed to satisfy constraint: Member must satisfy enum value set: [ml.m5.large, ml.m5.xlarge]",
  $fault: 'client',
  $metadata: { httpStatusCode: 400 },
});

/** Every adapter of the TrainingBackend port, over the same store. */
const backends: [string, (world: ReturnType<typeof trainWorld>) => TrainingBackend][] = [
  [
    'the SageMaker adapter',
    () => {
      sagemaker.on(CreateTrainingJobCommand).rejects(INVALID_INSTANCE_TYPE);
      return createSageMakerTrainer(new SageMakerClient({ region: 'eu-west-1' }), { sleep: async () => {} });
    },
  ],
  ['the local trainer', (world) => createLocalTrainer({ store: world.store, bucket: testConfig.bucket })],
];

describe.each(backends)('TrainingBackend contract: %s', (_name, backendFor) => {
  it('ends a request it refuses in one "Training Failed To Start", not in a retry', async () => {
    const world = trainWorld();
    const trainer = backendFor(world);
    const deps = { ...world.deps, trainer };
    const manifest = makeManifest({ settings: { instanceType: 'ml.m5.larg' } });
    const key = keys.manifest(manifest.dataset, manifest.run);
    await world.store.put(key, JSON.stringify(manifest));

    const first = await startTraining(deps, key, { requestId: 'req-1' });
    // A duplicate delivery of the same manifest changes nothing.
    const second = await startTraining(deps, key, { requestId: 'req-2' });

    for (const outcome of [first, second]) {
      expect(outcome).toMatchObject({
        outcome: 'not-started',
        reason: expect.stringContaining('ml.m5.larg'),
      });
    }
    expect(world.notifier.sent).toHaveLength(1);
    expect(world.notifier.sent[0]).toMatchObject({
      detailType: 'Training Failed To Start',
      detail: {
        dataset: manifest.dataset,
        run: manifest.run,
        reason: expect.stringContaining("'ml.m5.larg' at 'resourceConfig.instanceType'"),
        hint: expect.stringContaining('instance type'),
      },
    });
  });
});
