import { keys, PREFIX } from '../../lib/layout';
import type { FunctionName, KillPoint } from '../support/faults/invocation-faults';
import type { S3FaultKind, S3Request } from '../support/faults/s3-fault-proxy';
import { datasetOfRequest, type FaultyStack } from './faulty-stack';

/** Every kind of fault the harness injects and counts. */
export type FaultKind =
  | S3FaultKind
  | 'lambda-timeout'
  | 'sns-failure'
  | 'throttling'
  | 'eventbridge-duplicate'
  | 'eventbridge-out-of-order';

export type Mark = (dataset: string, kind: FaultKind) => void;

export interface DoseContext {
  stack: FaultyStack;
  dataset: string;
  random: () => number;
  mark: Mark;
}

/** One fault aimed at one dataset's traffic. */
export interface Dose {
  name: string;
  install(ctx: DoseContext): void;
}

const under = (prefix: string) => (key: string) => key.startsWith(prefix);
const runKeys = (dataset: string) => `${PREFIX.train}${dataset}/`;
const isManifest = (dataset: string) => (key: string) =>
  key.startsWith(runKeys(dataset)) && key.endsWith('/manifest.json');

function s3Dose(
  name: string,
  kind: S3FaultKind,
  operation: string,
  keyOf: (dataset: string) => (key: string) => boolean,
  maxTimes: number,
): Dose {
  return {
    name,
    install({ stack, dataset, random, mark }) {
      const wanted = keyOf(dataset);
      stack.proxy.inject({
        kind,
        match: (request: S3Request) => request.operation === operation && wanted(request.key),
        times: 1 + Math.floor(random() * maxTimes),
        onInjected: () => mark(dataset, kind),
      });
    },
  };
}

function killDose(
  name: string,
  fn: FunctionName,
  point: KillPoint,
  targetOf: (dataset: string) => (k: string) => boolean,
): Dose {
  return {
    name,
    install({ stack, dataset, mark }) {
      const wanted = targetOf(dataset);
      stack.invocations.killAt({
        fn,
        point,
        times: 1,
        target: (keyOrJob) => {
          if (!wanted(keyOrJob)) return false;
          mark(dataset, 'lambda-timeout');
          return true;
        },
      });
    },
  };
}

function snsDose(name: string, detailType: string): Dose {
  return {
    name,
    install({ stack, dataset, mark }) {
      // Once: with the other dose a dataset gets, Lambda's three attempts still suffice.
      stack.invocations.failNotification({
        times: 1,
        match: (event) => {
          if (event.detailType !== detailType || event.detail.dataset !== dataset) return false;
          mark(dataset, 'sns-failure');
          return true;
        },
      });
    },
  };
}

/** The dataset a job belongs to, or `undefined` for a job the harness never saw requested. */
export type JobOwner = (job: string) => string | undefined;

/**
 * The doses a dataset can get. S3 doses can be absorbed by the SDK's retries
 * or outlast them (then Lambda retries the whole invocation); every dose is
 * bounded so that Lambda's three attempts can finish the work.
 */
export function doseMenu(jobOwner: JobOwner): Dose[] {
  const ownJob = (dataset: string) => (job: string) => jobOwner(job) === dataset;
  return [
    s3Dose('500 on GetObject x.csv', 'http-500', 'GetObject', (d) => (k) => k === keys.raw(d, 'x'), 2),
    s3Dose('503 on PutObject manifest', 'slowdown-503', 'PutObject', isManifest, 4),
    s3Dose('500 on HeadObject y.csv', 'http-500', 'HeadObject', (d) => (k) => k === keys.raw(d, 'y'), 2),
    s3Dose(
      '503 on PutObject input claim',
      'slowdown-503',
      'PutObject',
      (d) => under(`${runKeys(d)}_inputs/`),
      2,
    ),
    s3Dose('500 on GetObject manifest', 'http-500', 'GetObject', isManifest, 3),
    s3Dose(
      '503 on PutObject catalog',
      'slowdown-503',
      'PutObject',
      (d) => under(`${PREFIX.catalog}${d}/`),
      2,
    ),
    s3Dose(
      '503 on notification record',
      'slowdown-503',
      'PutObject',
      (d) => under(`${PREFIX.notifications}${d}/`),
      2,
    ),
    s3Dose(
      'reset in GetObject x.csv body',
      'reset-get-body',
      'GetObject',
      (d) => (k) => k === keys.raw(d, 'x'),
      1,
    ),
    s3Dose(
      'reset in GetObject y.csv body',
      'reset-get-body',
      'GetObject',
      (d) => (k) => k === keys.raw(d, 'y'),
      1,
    ),
    s3Dose('reset in GetObject manifest body', 'reset-get-body', 'GetObject', isManifest, 1),
    killDose(
      'merge killed half-way through x.csv',
      'merge',
      'mid-read',
      (d) => (k) => k === keys.raw(d, 'x'),
    ),
    killDose('merge killed before the manifest', 'merge', 'before-put', isManifest),
    killDose('merge killed after the manifest', 'merge', 'after-put', isManifest),
    killDose('train killed after CreateTrainingJob', 'train', 'after-create-job', ownJob),
    killDose('train killed before notifying', 'train', 'before-notify', (d) => (k) => k === d),
    killDose(
      'complete killed after the catalog entry',
      'complete',
      'after-put',
      (d) => (k) => k.startsWith(`${PREFIX.catalog}${d}/`) && !k.endsWith('/latest.json'),
    ),
    killDose('complete killed before notifying', 'complete', 'before-notify', (d) => (k) => k === d),
    snsDose('SNS fails on Training Started', 'Training Started'),
    snsDose('SNS fails on Training Completed', 'Training Completed'),
    {
      name: 'CreateTrainingJob throttled',
      install({ stack, dataset, random, mark }) {
        // Up to 3 refusals are absorbed by the adapter's backoff (4 calls); more fail the invocation once.
        stack.sagemaker.throttle({
          times: 1 + Math.floor(random() * 6),
          match: (request) => {
            if (datasetOfRequest(request) !== dataset) return false;
            mark(dataset, 'throttling');
            return true;
          },
        });
      },
    },
  ];
}

/** The big datasets' dose: a reset half-way through an UploadPart request. */
export function uploadPartDose(times: number): Dose {
  return s3Dose('reset in UploadPart', 'reset-upload-part', 'UploadPart', (d) => under(runKeys(d)), times);
}
