import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Logger } from '../../lib/logger';

/** What every stage's dependencies have: the middlewares log through it. */
export interface LoggingDeps {
  logger: Logger;
}

/** Lambda's context with the invocation's dependencies, as {@link stageDeps} leaves it. */
interface StageContext<D extends LoggingDeps> extends Context {
  deps?: D;
}

export interface StageDepsOptions<D extends LoggingDeps> {
  /** The function's name in serverless.yml (`merge`, `train`, ...): the `function` key of every log line. */
  functionName: string;
  /**
   * Builds the dependencies: the AWS adapters on Lambda, others in tests and
   * local mode. Called on the first invocation only; later ones of the same
   * handler (the same container on Lambda) reuse what it built, so clients
   * keep their connections and configuration is read once.
   */
  build: () => D;
}

/**
 * Gives the handler its stage's dependencies (read them with
 * {@link invocationDeps}), built once per
 * handler, with a logger scoped to this invocation: every line it (and the
 * stage it is passed to) writes carries `function` and `requestId`. A failed
 * invocation is logged once as `invocation failed` with the error and its
 * causes, then rethrown, so Lambda retries the event and, once retries are
 * spent, sends it to the on-failure destination.
 *
 * Use it first: the other sagedrop middlewares read `context.deps`.
 *
 * @example
 * middy<unknown, Result>()
 *   .use(stageDeps({ functionName: 'evaluate', build: awsEvaluateDeps }))
 *   .handler((event, context) =>
 *     evaluate(invocationDeps<EvaluateDeps>(context), parse(event), context.awsRequestId),
 *   );
 */
export function stageDeps<D extends LoggingDeps>(
  options: StageDepsOptions<D>,
): MiddlewareObj<unknown, unknown, Error, Context> {
  let built: D | undefined;
  return {
    name: 'stageDeps',
    before: (request) => {
      built ??= options.build();
      const context: StageContext<D> = request.context;
      const logger = built.logger.child({ function: options.functionName, requestId: context.awsRequestId });
      context.deps = { ...built, logger };
    },
    onError: (request) => {
      // Without deps (building them failed) there is no logger; Lambda still records the error.
      (request.context as StageContext<D>).deps?.logger.error('invocation failed', { error: request.error });
    },
  };
}

/**
 * The dependencies {@link stageDeps} gave this invocation, `logger` scoped to
 * it. `D` is what the handler's `build` returns. Throws when the handler does
 * not use `stageDeps` before the code that asks.
 */
export function invocationDeps<D extends LoggingDeps>(context: Context): D {
  const { deps } = context as StageContext<D>;
  if (!deps) throw new Error('No stage dependencies on the context: use the stageDeps middleware first.');
  return deps;
}
