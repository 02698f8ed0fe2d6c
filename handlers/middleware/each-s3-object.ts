import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { type ObjectCreated, parseS3Notification } from '../../lib/events/s3';
import { invocationDeps, type LoggingDeps } from './stage-deps';

/** Dependencies of a stage fed by S3 notifications: objects of other buckets are not its business. */
export interface S3StageDeps extends LoggingDeps {
  config: { bucket: string };
}

export interface EachS3ObjectOptions<D extends S3StageDeps, R> {
  /**
   * The stage, for one created object. `deps.logger` carries the object's
   * `key`. Rejected input is an outcome, not an error: what it throws is
   * what a retry may fix.
   */
  stage: (deps: D, object: ObjectCreated, context: Context) => Promise<R>;
  /**
   * Keys this stage is for (an S3 filter can only match a prefix and a
   * suffix); others are skipped without a line at info level. Every key by
   * default.
   */
  accepts?: (key: string) => boolean;
  /**
   * The fields of the `object handled` line for an outcome; `undefined` writes
   * no line. By default the outcome's own fields (or `outcome` if it has none).
   */
  describe?: (outcome: R) => Record<string, unknown> | undefined;
}

/**
 * Some objects of an S3 notification could not be handled. `errors` holds
 * each failure, in record order; the message names each key with its error.
 * Thrown so that Lambda retries the whole event: the stages are idempotent,
 * so objects already handled are no-ops the second time.
 */
export class S3ObjectsFailedError extends AggregateError {
  override readonly name = 'S3ObjectsFailedError';
  readonly code = 'S3_OBJECTS_FAILED';
  /** The keys that failed, in the order of `errors`. */
  readonly keys: string[];

  constructor(failures: { key: string; error: unknown }[], total: number) {
    const reasons = failures.map(
      ({ key, error }) => `${key}: ${error instanceof Error ? error.message : String(error)}`,
    );
    super(
      failures.map((f) => f.error),
      `${failures.length} of ${total} S3 objects failed: ${reasons.join('; ')}`,
    );
    this.keys = failures.map((f) => f.key);
  }
}

/**
 * Runs a stage over each object-created record of an S3 notification, one at
 * a time in record order, and answers with the outcomes. Records of another
 * bucket are skipped with a warning, keys the stage is not for are skipped, and
 * the `s3:TestEvent` message gives no records. A failing object does not stop
 * the others; once all were tried, the invocation fails with an
 * {@link S3ObjectsFailedError} holding every failure, so Lambda retries it.
 * A payload that is not an S3 notification fails the invocation.
 *
 * It answers the invocation itself (middy's early response from `before`), so
 * it comes last, after {@link stageDeps}, and the handler has no function of
 * its own. Middy's early timeout covers handler functions only: a stage that
 * outlives the function's timeout is ended by Lambda itself, which fails and
 * retries the invocation all the same.
 *
 * @example
 * middy<unknown, PredictOutcome[]>()
 *   .use(stageDeps({ functionName: 'predict', build: awsPredictDeps }))
 *   .use(
 *     eachS3Object<PredictDeps, PredictOutcome>({
 *       accepts: isScoringKey,
 *       stage: (deps, object, context) => predict(deps, object.key, context.awsRequestId),
 *     }),
 *   );
 */
export function eachS3Object<D extends S3StageDeps, R>(
  options: EachS3ObjectOptions<D, R>,
): MiddlewareObj<unknown, R[]> {
  const accepts = options.accepts ?? (() => true);
  const describe = options.describe ?? asFields;
  return {
    name: 'eachS3Object',
    before: async (request) => {
      const { context } = request;
      const deps = invocationDeps<D>(context);
      const objects = parseS3Notification(request.event);
      if (objects.length === 0) deps.logger.debug('no object-created records');
      const outcomes: R[] = [];
      const failures: { key: string; error: unknown }[] = [];
      let tried = 0;
      for (const object of objects) {
        if (!accepts(object.key)) continue;
        const logger = deps.logger.child({ key: object.key });
        if (object.bucket !== deps.config.bucket) {
          logger.warn('object in another bucket', { bucket: object.bucket });
          continue;
        }
        tried += 1;
        try {
          const outcome = await options.stage({ ...deps, logger }, object, context);
          const fields = describe(outcome);
          if (fields) logger.info('object handled', fields);
          outcomes.push(outcome);
        } catch (error) {
          logger.error('object failed', { error });
          failures.push({ key: object.key, error });
        }
      }
      if (failures.length > 0) throw new S3ObjectsFailedError(failures, tried);
      return outcomes;
    },
  };
}

function asFields(outcome: unknown): Record<string, unknown> {
  return typeof outcome === 'object' && outcome !== null ? { ...outcome } : { outcome };
}
