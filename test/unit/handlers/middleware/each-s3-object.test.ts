import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { eachS3Object, S3ObjectsFailedError } from '../../../../handlers/middleware/each-s3-object';
import { stageDeps } from '../../../../handlers/middleware/stage-deps';
import type { ObjectCreated } from '../../../../lib/events/s3';
import type { Logger } from '../../../../lib/logger';
import { s3Notification, s3TestEvent } from '../../../support/events';
import { recordingLogger } from '../../../support/logs';

const BUCKET = 'sagedrop-data';
const context = (awsRequestId: string) => ({ awsRequestId }) as Context;

interface Deps {
  config: { bucket: string };
  logger: Logger;
}

type Stage = (deps: Deps, object: ObjectCreated, context: Context) => Promise<string>;

/** A handler running `stage` over each object; `seen` lists the keys the stage got, in order. */
function setup(
  stage: Stage = async (_deps, object) => `did ${object.key}`,
  accepts?: (key: string) => boolean,
) {
  const { logger, lines } = recordingLogger();
  const seen: string[] = [];
  const handler = middy<unknown, string[]>()
    .use(stageDeps<Deps>({ functionName: 'predict', build: () => ({ config: { bucket: BUCKET }, logger }) }))
    .use(
      eachS3Object<Deps, string>({
        accepts,
        stage: async (deps, object, ctx) => {
          seen.push(object.key);
          deps.logger.info('stage ran');
          return stage(deps, object, ctx);
        },
        describe: (outcome) => (outcome.startsWith('quiet') ? undefined : { outcome }),
      }),
    );
  return { handler, lines, seen };
}

describe('eachS3Object middleware', () => {
  it('runs the stage for each record in order, keys decoded, and answers with the outcomes', async () => {
    const { handler, seen } = setup();
    const outcomes = await handler(
      s3Notification(BUCKET, ['score/a/1.csv', 'score/my+data/2.csv']),
      context('r'),
    );
    expect(seen).toEqual(['score/a/1.csv', 'score/my data/2.csv']);
    expect(outcomes).toEqual(['did score/a/1.csv', 'did score/my data/2.csv']);
  });

  it('gives the stage and the outcome line a logger with the key and the request id', async () => {
    const { handler, lines } = setup(async (_deps, object) =>
      object.key.endsWith('2.csv') ? 'quiet' : 'done',
    );
    await handler(s3Notification(BUCKET, ['score/a/1.csv', 'score/a/2.csv']), context('req-7'));
    expect(lines.map((l) => [l.message, l.key, l.requestId, l.outcome])).toEqual([
      ['stage ran', 'score/a/1.csv', 'req-7', undefined],
      ['object handled', 'score/a/1.csv', 'req-7', 'done'],
      ['stage ran', 'score/a/2.csv', 'req-7', undefined],
    ]);
  });

  it('skips records of another bucket with a warning', async () => {
    const { handler, seen, lines } = setup();
    expect(await handler(s3Notification('someone-else', ['score/a/1.csv']), context('r'))).toEqual([]);
    expect(seen).toEqual([]);
    expect(lines).toEqual([
      expect.objectContaining({ level: 'warn', message: 'object in another bucket', bucket: 'someone-else' }),
    ]);
  });

  it('skips keys the stage is not for', async () => {
    const { handler, seen } = setup(undefined, (key) => key.endsWith('.csv'));
    await handler(s3Notification(BUCKET, ['score/a/notes.txt', 'score/a/1.csv']), context('r'));
    expect(seen).toEqual(['score/a/1.csv']);
  });

  it('answers the s3:TestEvent message and records of other event types with no outcome', async () => {
    const { handler, seen } = setup();
    expect(await handler(s3TestEvent(), context('r'))).toEqual([]);
    expect(
      await handler(
        s3Notification(BUCKET, ['score/a/1.csv'], { eventName: 'ObjectRemoved:Delete' }),
        context('r'),
      ),
    ).toEqual([]);
    expect(seen).toEqual([]);
  });

  it('tries every object, then fails the event with each failure, so Lambda retries it', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const missing = new Error('NoSuchKey');
    const failures: Record<string, Error> = { 'score/a/1.csv': throttled, 'score/a/3.csv': missing };
    const { handler, seen, lines } = setup(async (_deps, object) => {
      const failure = failures[object.key];
      if (failure) throw failure;
      return 'done';
    });
    const event = s3Notification(BUCKET, ['score/a/1.csv', 'score/a/2.csv', 'score/a/3.csv']);
    const error = await handler(event, context('req-f')).catch((e: unknown) => e);
    expect(seen).toEqual(['score/a/1.csv', 'score/a/2.csv', 'score/a/3.csv']);
    expect(error).toBeInstanceOf(S3ObjectsFailedError);
    const failed = error as S3ObjectsFailedError;
    expect(failed.errors).toEqual([throttled, missing]);
    expect(failed.keys).toEqual(['score/a/1.csv', 'score/a/3.csv']);
    expect(failed.code).toBe('S3_OBJECTS_FAILED');
    expect(failed.message).toBe(
      '2 of 3 S3 objects failed: score/a/1.csv: Rate exceeded; score/a/3.csv: NoSuchKey',
    );
    expect(lines.filter((l) => l.message === 'object failed').map((l) => l.key)).toEqual([
      'score/a/1.csv',
      'score/a/3.csv',
    ]);
    const invocation = lines.find((l) => l.message === 'invocation failed');
    expect(invocation?.error).toMatchObject({
      name: 'S3ObjectsFailedError',
      errors: [{ name: 'ThrottlingException', message: 'Rate exceeded' }, { message: 'NoSuchKey' }],
    });
  });

  it('fails the event on a payload that is not an S3 notification, without running the stage', async () => {
    const { handler, seen } = setup();
    await expect(handler({ hello: 'world' }, context('r'))).rejects.toThrow();
    expect(seen).toEqual([]);
  });

  it('says what is missing when used without stageDeps', async () => {
    const handler = middy<unknown, string[]>().use(eachS3Object<Deps, string>({ stage: async () => 'done' }));
    await expect(handler(s3Notification(BUCKET, ['score/a/1.csv']), context('r'))).rejects.toThrow(
      /use the stageDeps middleware/,
    );
  });
});
