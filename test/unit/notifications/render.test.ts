import { describe, expect, it } from 'vitest';
import type { FinishedDetail, PipelineEvent } from '../../../lib/notifications/events';
import {
  formatBytes,
  formatNumber,
  renderMessage,
  subjectLine,
  wrap,
} from '../../../lib/notifications/render';

const completed: FinishedDetail = {
  schemaVersion: '1.0',
  dataset: 'iris',
  run: 'r1',
  job: 'sagedrop-dev-iris--r1',
  status: 'Completed',
  algorithm: 'linear-learner',
  modelArtifact: 's3://b/models/iris/sagedrop-dev-iris--r1/output/model.tar.gz',
  modelArtifactBytes: 12_600,
  modelPackageGroup: 'sagedrop-dev-iris',
  modelPackageArn: 'arn:aws:sagemaker:eu-west-1:1:model-package/sagedrop-dev-iris/3',
  metrics: { 'validation:objective_loss': 0.123456789, 'validation:multiclass_accuracy': 0.96 },
  catalogUri: 's3://b/catalog/iris/sagedrop-dev-iris--r1.json',
  trainingSeconds: 312,
  billableSeconds: 94,
  spotSavings: 0.6987,
};

const events: PipelineEvent[] = [
  { detailType: 'Training Completed', detail: completed },
  {
    detailType: 'Training Failed',
    detail: {
      ...completed,
      status: 'Failed',
      metrics: {},
      modelArtifact: undefined,
      failureReason: 'AlgorithmError: label column has 4 classes but num_classes is 3',
      failedStep: 'Training',
      hint: 'Check the hyperparameters in raw/iris/sagedrop.json.',
    },
  },
  {
    detailType: 'Training Stopped',
    detail: {
      ...completed,
      status: 'Stopped',
      secondaryStatus: 'MaxRuntimeExceeded',
      metrics: {},
      hint: 'Raise it.',
    },
  },
  {
    detailType: 'Dataset Rejected',
    detail: {
      schemaVersion: '1.0',
      dataset: 'iris',
      message: 'y.csv row 7 is empty',
      file: 'raw/iris/y.csv',
      row: 7,
      column: 1,
      hint: 'Give every row of x.csv a label in y.csv.',
      reportUri: 's3://b/errors/iris/r1.json',
    },
  },
  {
    detailType: 'Training Started',
    detail: {
      schemaVersion: '1.0',
      dataset: 'iris',
      run: 'r1',
      job: 'sagedrop-dev-iris--r1',
      algorithm: 'xgboost',
      instanceType: 'ml.m5.large',
      instanceCount: 2,
      manifestUri: 's3://b/train/iris/r1/manifest.json',
    },
  },
  {
    detailType: 'Training Failed To Start',
    detail: {
      schemaVersion: '1.0',
      dataset: 'iris',
      run: 'r1',
      job: 'sagedrop-dev-iris--r1',
      reason: 'ResourceLimitExceeded: ml.p3.2xlarge for training job usage is 0',
      hint: 'Ask for a quota increase or set another instanceType.',
    },
  },
];

describe('renderMessage', () => {
  it.each(events.map((e) => [e.detailType, e] as const))('writes a subject and body for %s', (_, event) => {
    const { subject, body } = renderMessage(event);
    expect(subject).toMatch(/^sagedrop: [a-z ]+: iris$/);
    expect(body).toContain('"iris"');
    expect(body).not.toContain('undefined');
    expect(body).not.toContain('[object Object]');
  });

  it('says where the model is, its metrics, cost and how to deploy it', () => {
    const { subject, body } = renderMessage(events[0] as PipelineEvent);
    expect(subject).toBe('sagedrop: model ready: iris');
    expect(body).toContain(`${completed.modelArtifact} (12.3 KiB)`);
    expect(body).toMatch(/validation:multiclass_accuracy\s+0\.96\n/);
    expect(body).toMatch(/validation:objective_loss\s+0\.123457\n/);
    expect(body).toContain('Trained for 5 min 12 s, billed 1 min 34 s (spot training saved 70 %).');
    expect(body).toContain(completed.modelPackageArn);
    expect(body).toContain('pending manual approval');
  });

  it('says why a job failed, in which step, what to do and where the logs are', () => {
    const { body } = renderMessage(events[1] as PipelineEvent);
    expect(body).toContain('Why:           AlgorithmError: label column has 4 classes but num_classes is 3');
    expect(body).toMatch(/Step:\s+Training/);
    expect(body).toContain('What to do:\n  Check the hyperparameters in raw/iris/sagedrop.json.');
    expect(body).toContain('/aws/sagemaker/TrainingJobs');
  });

  it('says why a training job has fewer instances than the settings asked for', () => {
    const note =
      '"instanceCount" 8 lowered to 3: the train channel has 3 parts and each instance reads whole parts.';
    const started = events.find((e) => e.detailType === 'Training Started') as PipelineEvent & {
      detailType: 'Training Started';
    };
    const { body } = renderMessage({
      ...started,
      detail: { ...started.detail, instanceCount: 3, instanceNote: note },
    });
    expect(body).toMatch(/Instances:\s+3 x ml\.m5\.large/);
    expect(body.replace(/\s+/g, ' ')).toContain(note);
    expect(renderMessage(started).body).not.toContain('lowered');
  });

  it('names file, row and column of a rejected dataset', () => {
    const { body } = renderMessage(events[3] as PipelineEvent);
    expect(body).toMatch(/Where:\s+raw\/iris\/y\.csv, row 7, column 1/);
    expect(body).toContain('Give every row of x.csv a label in y.csv.');
  });

  it('keeps subjects within what SNS accepts for any dataset name', () => {
    for (const dataset of ['données été', '数据集', 'line\nbreak\ttab', 'x'.repeat(300)]) {
      const { subject } = renderMessage({
        detailType: 'Training Completed',
        detail: { ...completed, dataset },
      });
      expect(subject.length).toBeLessThanOrEqual(100);
      expect(subject).toMatch(/^[\x20-\x7e]+$/);
      expect(subject.startsWith('sagedrop: model ready: ')).toBe(true);
    }
    expect(subjectLine('données été')).toBe('donnees ete');
  });

  it('writes a non-ASCII dataset name readably in the subject: no ? for what ASCII cannot spell', () => {
    const subject = (dataset: string) =>
      renderMessage({ detailType: 'Training Completed', detail: { ...completed, dataset } }).subject;
    expect(subject('データ')).toBe('sagedrop: model ready: \\u30C7\\u30FC\\u30BF');
    expect(subject('🚀 Straße')).toBe('sagedrop: model ready: \\u{1F680} Strasse');
    expect(subject('数据集')).not.toBe(subject('数据库'));
    expect(subject('数据集'.repeat(20))).toMatch(/^sagedrop: model ready: (\\u[0-9A-F]{4})+\.\.\.$/);
  });

  it('never mentions CloudWatch, billing or spot savings in a local run', () => {
    for (const event of events) {
      const { body } = renderMessage(event, { backend: 'local' });
      expect(body, event.detailType).not.toMatch(/CloudWatch|billed|spot|\/aws\/sagemaker/i);
    }
    const { body } = renderMessage(events[0] as PipelineEvent, { backend: 'local' });
    expect(body).toContain('Trained for 5 min 12 s on this machine.');
  });
});

describe('failed batch transforms', () => {
  const failures: PipelineEvent[] = [
    {
      detailType: 'Model Evaluated',
      detail: {
        schemaVersion: '1.0',
        dataset: 'iris',
        run: 'r1',
        job: 'sagedrop-dev-iris--r1',
        decision: 'evaluation-failed',
        summary: 'The model could not be evaluated.',
        reason:
          'the batch transform sagedrop-dev--eval-r1 scoring the new model failed: ClientError: bad input',
        hint: "The champion stays. The transform job's logs (below) give the cause.",
      },
    },
    {
      detailType: 'Predictions Failed',
      detail: {
        schemaVersion: '1.0',
        dataset: 'iris',
        input: 'score/iris/new.csv',
        job: 'sagedrop-dev-iris--r1',
        transformJob: 'sagedrop-dev--pred-1',
        status: 'Failed',
        reason: 'ClientError: bad input',
        hint: "The transform job's logs (below) give the cause.",
      },
    },
  ];

  it('point at the transform logs where they are: CloudWatch on AWS, the local scorer on this machine', () => {
    const [evaluated, predictions] = failures.map((event) => renderMessage(event).body);
    expect(evaluated).toContain('Logs: CloudWatch log group /aws/sagemaker/TransformJobs.');
    expect(predictions).toContain(
      'Logs: CloudWatch log group /aws/sagemaker/TransformJobs, streams starting with "sagedrop-dev--pred-1/".',
    );
    for (const event of failures) {
      const { body } = renderMessage(event, { backend: 'local' });
      expect(body, event.detailType).toContain("Logs: the local scorer's log lines, printed with --verbose.");
      expect(body, event.detailType).not.toMatch(/CloudWatch|\/aws\/sagemaker/i);
    }
  });
});

describe('formatting', () => {
  it('formats numbers and sizes for people', () => {
    expect(formatNumber(3)).toBe('3');
    expect(formatNumber(0.123456789)).toBe('0.123457');
    expect(formatNumber(1234567.891)).toBe('1234570');
    expect(formatNumber(0.0000123)).toBe('1.2300e-5');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MiB');
  });
});

describe('wrap', () => {
  it('wraps long advice at 76 columns without losing words', () => {
    const text = 'word '.repeat(60).trim();
    const lines = wrap(text);
    expect(lines.every((l) => l.length <= 76 && l.startsWith('  '))).toBe(true);
    expect(lines.join(' ').split(/\s+/).filter(Boolean)).toHaveLength(60);
  });
});
