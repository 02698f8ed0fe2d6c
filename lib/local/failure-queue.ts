import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type FailureMessage, functionNameOf } from '../events/failed-event';
import type { FailureQueue, ReceivedMessage } from '../stages/redrive';
import type { FailedInvocation } from './invoker';

/** Local functions are named like deployed ones: `<stack>-<function>`. */
export const LOCAL_STACK_NAME = 'sagedrop-local';

/** The ARN the local invoker gives `fn` (see `lambdaContext`). */
export function localFunctionArn(fn: string, region: string): string {
  return `arn:aws:lambda:${region}:000000000000:function:${LOCAL_STACK_NAME}-${fn}`;
}

/**
 * The invocation record Lambda's on-failure destination would send for
 * `failure`: the very format the deployed failure queue holds, so local
 * failures go through the same reading, alerting and redrive code.
 */
export function invocationRecord(failure: FailedInvocation, region: string): Record<string, unknown> {
  const error =
    failure.error instanceof Error
      ? { errorType: failure.error.name, errorMessage: failure.error.message }
      : { errorMessage: String(failure.error) };
  return {
    version: '1.0',
    timestamp: failure.failedAt,
    requestContext: {
      requestId: failure.requestId,
      functionArn: localFunctionArn(failure.fn, region),
      condition: 'RetriesExhausted',
      approximateInvokeCount: failure.attempts,
    },
    requestPayload: failure.event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: error,
  };
}

/** The failure back from its record, as a loaded file gives it. */
function fromRecord(record: Record<string, unknown>): FailedInvocation | undefined {
  const context = record.requestContext as Record<string, unknown> | undefined;
  const name = functionNameOf(String(context?.functionArn ?? ''));
  const requestId = context?.requestId;
  if (!name?.startsWith(`${LOCAL_STACK_NAME}-`) || typeof requestId !== 'string') return undefined;
  const response = (record.responsePayload ?? {}) as { errorType?: string; errorMessage?: string };
  const error = new Error(response.errorMessage ?? 'unknown error');
  if (response.errorType) error.name = response.errorType;
  return {
    fn: name.slice(LOCAL_STACK_NAME.length + 1),
    requestId,
    attempts: Number(context?.approximateInvokeCount ?? 3),
    event: record.requestPayload,
    error,
    failedAt: String(record.timestamp ?? ''),
  };
}

export interface LocalFailureQueue extends FailureQueue {
  /** Keeps a failed invocation (in the folder too, when there is one) and returns its message. */
  add(failure: FailedInvocation): Promise<FailureMessage>;
  /** The message of a kept failure. */
  messageOf(failure: FailedInvocation): FailureMessage;
}

export interface LocalFailureQueueOptions {
  /** The invoker's list of failed invocations: the queue reads and removes from it. */
  failures: FailedInvocation[];
  region: string;
  /** Where failures are kept between runs (one JSON record per failure); in memory only without it. */
  dir?: string;
}

/**
 * The local stand-in for the failure queue: the invoker's failure list,
 * optionally kept in a folder so `sagedrop redrive --local` finds what an
 * earlier `serve` or `local` run left. Failures already in the folder are
 * loaded into the list.
 */
export async function openLocalFailureQueue(options: LocalFailureQueueOptions): Promise<LocalFailureQueue> {
  const { failures, region, dir } = options;
  const hidden = new Set<string>();
  const pathOf = (requestId: string) => join(dir ?? '', `${requestId}.json`);
  if (dir) {
    await mkdir(dir, { recursive: true });
    for (const name of (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()) {
      const loaded = fromRecord(JSON.parse(await readFile(join(dir, name), 'utf8')));
      if (loaded && !failures.some((f) => f.requestId === loaded.requestId)) failures.push(loaded);
    }
  }
  const messageOf = (failure: FailedInvocation): ReceivedMessage => ({
    id: failure.requestId,
    receipt: failure.requestId,
    body: JSON.stringify(invocationRecord(failure, region)),
  });
  return {
    messageOf,
    async add(failure) {
      if (!failures.includes(failure)) failures.push(failure);
      const message = messageOf(failure);
      if (dir) {
        // Written whole, then renamed: a reader never sees half a record.
        const path = pathOf(failure.requestId);
        await writeFile(`${path}.partial`, message.body);
        await rename(`${path}.partial`, path);
      }
      return message;
    },
    async receive() {
      const visible = failures.filter((f) => !hidden.has(f.requestId));
      for (const failure of visible) hidden.add(failure.requestId);
      return visible.map(messageOf);
    },
    async delete(message) {
      const index = failures.findIndex((f) => f.requestId === message.receipt);
      if (index >= 0) failures.splice(index, 1);
      hidden.delete(message.receipt);
      if (dir) await rm(pathOf(message.receipt), { force: true });
    },
    async release(message) {
      hidden.delete(message.receipt);
    },
  };
}
