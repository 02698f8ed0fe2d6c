import type { CreateTrainingJobRequest, Channel as SageMakerChannel } from '@aws-sdk/client-sagemaker';
import { keys, s3Uri } from '../layout';
import type { Config } from '../settings/config';
import { acceptedChannels, deriveHyperparameters, trainingImageFor, trainsDistributed } from './algorithms';
import { TrainingConfigError } from './errors';
import { trainingJobName } from './job-name';
import { trainingJobTags } from './job-tags';
import { type RunManifest, writtenChannels } from './manifest';

/** The stack settings a request is built from. */
export type RequestConfig = Pick<
  Config,
  'region' | 'bucket' | 'jobPrefix' | 'stackName' | 'sagemakerRoleArn' | 'defaults'
>;

export interface TrainingPlan {
  job: string;
  /** What ran: a built-in algorithm name, or the custom image URI. */
  algorithm: string;
  request: CreateTrainingJobRequest;
  /** How many instances train and how they share the data; `note` says what differs from the settings. */
  instances: InstancePlan;
}

/** How many instances a job gets and whether they split the training files between them. */
export interface InstancePlan {
  count: number;
  /** The train channel is read `ShardedByS3Key`: each instance gets whole parts of its own. */
  shardedTrain: boolean;
  /** Why `count` is not the `instanceCount` the settings asked for, or how the instances read the data. */
  note?: string;
}

/**
 * The instances of a run's job. An algorithm that trains distributed reads the
 * train channel's parts `ShardedByS3Key`, and never gets more instances than
 * parts: SageMaker hands out whole objects, so an instance beyond the parts
 * would get no rows and be paid for nothing. Every other algorithm, and every
 * other channel, is read `FullyReplicated`.
 */
export function planInstances(manifest: RunManifest): InstancePlan {
  const { algorithm, instanceCount } = manifest.settings;
  if (instanceCount <= 1) return { count: instanceCount, shardedTrain: false };
  const parts = manifest.channels.train.files.length;
  const settingsFile = keys.raw(manifest.dataset, 'settings');
  if (!trainsDistributed(algorithm)) {
    return {
      count: instanceCount,
      shardedTrain: false,
      note:
        `${algorithm} does not split its training data between instances: each of the ` +
        `${instanceCount} instances reads all of it. Set "instanceCount": 1 in ${settingsFile} to pay for one.`,
    };
  }
  if (parts >= instanceCount) return { count: instanceCount, shardedTrain: parts > 1 };
  const plan: InstancePlan = { count: parts, shardedTrain: parts > 1 };
  plan.note =
    `"instanceCount" ${instanceCount} lowered to ${parts}: the train channel has ${parts} ` +
    `part${parts === 1 ? '' : 's'} and each instance reads whole parts, so more instances would get no rows. ` +
    `Lower "shardSizeMb" in ${settingsFile} for more, smaller parts.`;
  return plan;
}

function imageFor(manifest: RunManifest, config: RequestConfig): string {
  const { settings } = manifest;
  const file = keys.raw(manifest.dataset, 'settings');
  if (settings.algorithm === 'custom') {
    if (!config.defaults.allowCustomImages) {
      throw new TrainingConfigError(
        `${file} sets "trainingImage", but this stack only trains built-in algorithms (param ` +
          'allowCustomImages is false): remove "trainingImage" and choose an "algorithm", or ask the ' +
          'stack owner to allow custom images.',
      );
    }
    if (!settings.trainingImage) {
      throw new TrainingConfigError(
        `The run's settings use a custom algorithm without "trainingImage": set it in ${file}.`,
      );
    }
    return settings.trainingImage;
  }
  if (settings.trainingImage !== undefined) {
    throw new TrainingConfigError(`${file}: set either "algorithm" or "trainingImage", not both.`);
  }
  return trainingImageFor(settings.algorithm, config.region);
}

/**
 * The content type of a CSV channel, declaring its label columns the way AWS's
 * "Common Data Formats for Training" reads CSV: the first column is the label
 * unless the type says `label_size=0`. Label-first channels keep plain
 * `text/csv` (XGBoost requires exactly that; label_size=1 is the default).
 */
export function channelContentType(labelFirst: boolean): string {
  return labelFirst ? 'text/csv' : 'text/csv;label_size=0';
}

/**
 * The input channels for the run: those the algorithm accepts among those the
 * merge wrote, as `text/csv` on the channel's S3 prefix. k-means gets
 * features-only data and refuses a run whose channels lead with the label;
 * supervised built-ins refuse training data without it. The `train` channel is
 * sharded by key when `instances` says so; all else is fully replicated.
 */
function inputChannels(
  manifest: RunManifest,
  config: RequestConfig,
  instances: InstancePlan,
): SageMakerChannel[] {
  const { algorithm } = manifest.settings;
  const accepted = acceptedChannels(algorithm);
  const runPrefix = keys.runPrefix(manifest.dataset, manifest.run);
  const out: SageMakerChannel[] = [];
  for (const [name, channel] of writtenChannels(manifest)) {
    if (!accepted.includes(name)) continue;
    if (!channel.prefix.startsWith(runPrefix)) {
      throw new TrainingConfigError(
        `The manifest's ${name} channel (${channel.prefix}) is outside ${runPrefix}.`,
      );
    }
    if (algorithm === 'kmeans' && channel.labelFirst) {
      throw new TrainingConfigError(
        `The ${name} channel of run ${manifest.run} starts each row with the label, but k-means is ` +
          'unsupervised and must train on features only: upload x.csv and y.csv again to merge a new run.',
      );
    }
    if ((algorithm === 'linear-learner' || algorithm === 'xgboost') && !channel.labelFirst) {
      throw new TrainingConfigError(
        `The ${name} channel of run ${manifest.run} has no label column, which ${algorithm} needs: ` +
          'upload x.csv and y.csv again to merge a new run.',
      );
    }
    const sharded = name === 'train' && instances.shardedTrain;
    out.push({
      ChannelName: name,
      ContentType: channelContentType(channel.labelFirst),
      CompressionType: 'None',
      DataSource: {
        S3DataSource: {
          S3DataType: 'S3Prefix',
          S3Uri: s3Uri(config.bucket, channel.prefix),
          S3DataDistributionType: sharded ? 'ShardedByS3Key' : 'FullyReplicated',
        },
      },
    });
  }
  return out;
}

/**
 * The CreateTrainingJob request for a committed run: the job name from
 * `trainingJobName`, the image for the function's region (or the allowed
 * custom image), derived and user hyperparameters, the channels the algorithm
 * accepts, output under `models/<dataset>/` (SageMaker adds
 * `<job>/output/model.tar.gz`), tags, resources, the runtime limit and, with
 * spot, the wait limit and a checkpoint location. Throws `TrainingConfigError`
 * with what to change when the run cannot be trained as configured.
 */
export function buildTrainingRequest(manifest: RunManifest, config: RequestConfig): TrainingPlan {
  const { settings } = manifest;
  const job = trainingJobName(config.jobPrefix, manifest.dataset, manifest.run);
  const image = imageFor(manifest, config);
  const hyperparameters = deriveHyperparameters(settings.algorithm, manifest, settings.hyperparameters);
  const instances = planInstances(manifest);
  const request: CreateTrainingJobRequest = {
    TrainingJobName: job,
    RoleArn: config.sagemakerRoleArn,
    AlgorithmSpecification: { TrainingImage: image, TrainingInputMode: 'File' },
    HyperParameters: hyperparameters,
    InputDataConfig: inputChannels(manifest, config, instances),
    OutputDataConfig: { S3OutputPath: s3Uri(config.bucket, keys.modelsPrefix(manifest.dataset)) },
    ResourceConfig: {
      InstanceType: settings.instanceType as NonNullable<
        CreateTrainingJobRequest['ResourceConfig']
      >['InstanceType'],
      InstanceCount: instances.count,
      VolumeSizeInGB: settings.volumeSizeGb,
    },
    StoppingCondition: { MaxRuntimeInSeconds: settings.maxRuntimeSeconds },
    Tags: trainingJobTags({ dataset: manifest.dataset, run: manifest.run, stack: config.stackName }),
  };
  if (settings.spot) {
    request.EnableManagedSpotTraining = true;
    request.StoppingCondition = {
      MaxRuntimeInSeconds: settings.maxRuntimeSeconds,
      MaxWaitTimeInSeconds: Math.max(
        settings.maxWaitSeconds ?? settings.maxRuntimeSeconds * 2,
        settings.maxRuntimeSeconds,
      ),
    };
    request.CheckpointConfig = { S3Uri: s3Uri(config.bucket, keys.checkpoints(manifest.dataset, job)) };
  }
  return { job, algorithm: settings.algorithm === 'custom' ? image : settings.algorithm, request, instances };
}
