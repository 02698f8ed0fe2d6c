import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { invocationDeps, stageDeps } from '../../../../handlers/middleware/stage-deps';
import type { Logger } from '../../../../lib/logger';
import { recordingLogger } from '../../../support/logs';

const context = (awsRequestId: string) => ({ awsRequestId }) as Context;

interface Deps {
  logger: Logger;
  client: { id: number };
}

/** A handler that logs one line through its deps and answers with them, built by `build`. */
function handlerOver(build: () => Deps, work: (deps: Deps) => Promise<void> = async () => {}) {
  return middy<unknown, Deps>()
    .use(stageDeps({ functionName: 'evaluate', build }))
    .handler(async (_event, ctx) => {
      const deps = invocationDeps<Deps>(ctx);
      deps.logger.info('working');
      await work(deps);
      return deps;
    });
}

describe('stageDeps middleware', () => {
  it('builds the dependencies on the first invocation only and reuses them after', async () => {
    const { logger } = recordingLogger();
    let builds = 0;
    const handler = handlerOver(() => ({ logger, client: { id: ++builds } }));
    const first = await handler({}, context('req-1'));
    const second = await handler({}, context('req-2'));
    expect(builds).toBe(1);
    expect(second.client).toBe(first.client);
  });

  it('puts the function name and each invocation its own request id on every line', async () => {
    const { logger, lines } = recordingLogger();
    const handler = handlerOver(
      () => ({ logger, client: { id: 1 } }),
      async (deps) => deps.logger.child({ dataset: 'iris' }).info('stage line'),
    );
    await handler({}, context('req-1'));
    await handler({}, context('req-2'));
    expect(lines.map((l) => [l.message, l.function, l.requestId])).toEqual([
      ['working', 'evaluate', 'req-1'],
      ['stage line', 'evaluate', 'req-1'],
      ['working', 'evaluate', 'req-2'],
      ['stage line', 'evaluate', 'req-2'],
    ]);
    logger.info('outside any invocation');
    expect(lines.at(-1)).not.toHaveProperty('requestId');
  });

  it('logs a failed invocation once with its error and cause, and rethrows the same error', async () => {
    const { logger, lines } = recordingLogger();
    const failure = new Error('manifest unreadable', { cause: new Error('SlowDown') });
    const handler = handlerOver(
      () => ({ logger, client: { id: 1 } }),
      async () => {
        throw failure;
      },
    );
    await expect(handler({}, context('req-9'))).rejects.toBe(failure);
    const failed = lines.filter((l) => l.message === 'invocation failed');
    expect(failed).toEqual([
      expect.objectContaining({
        level: 'error',
        function: 'evaluate',
        requestId: 'req-9',
        error: expect.objectContaining({
          message: 'manifest unreadable',
          cause: expect.objectContaining({ message: 'SlowDown' }),
        }),
      }),
    ]);
  });

  it('fails the invocation when building the dependencies fails, and builds again on the next one', async () => {
    const { logger } = recordingLogger();
    let attempts = 0;
    const handler = handlerOver(() => {
      attempts += 1;
      if (attempts === 1) throw new Error('SAGEDROP_BUCKET is not set');
      return { logger, client: { id: attempts } };
    });
    await expect(handler({}, context('req-1'))).rejects.toThrow('SAGEDROP_BUCKET is not set');
    expect((await handler({}, context('req-2'))).client.id).toBe(2);
  });

  it('says what is missing when a handler reads dependencies without the middleware', async () => {
    const handler = middy<unknown, Deps>().handler(async (_event, ctx) => invocationDeps<Deps>(ctx));
    await expect(handler({}, context('req-1'))).rejects.toThrow(/use the stageDeps middleware/);
  });
});
