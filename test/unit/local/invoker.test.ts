import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createInvoker } from '../../../lib/local/invoker';

describe('createInvoker', () => {
  it('retries a failing invocation twice with the same request id, then keeps it as failed', async () => {
    const seen: string[] = [];
    const attempts: number[] = [];
    const invoker = createInvoker({
      region: 'us-east-1',
      retryDelayMs: 1,
      onAttemptFailed: (f) => attempts.push(f.attempt),
    });
    invoker.invoke(
      'merge',
      async (_event: unknown, context: Context) => {
        seen.push(context.awsRequestId);
        throw new Error('boom');
      },
      { n: 1 },
    );
    await invoker.idle();
    expect(seen).toHaveLength(3);
    expect(new Set(seen).size).toBe(1);
    expect(attempts).toEqual([1, 2, 3]);
    expect(invoker.failures).toMatchObject([{ fn: 'merge', attempts: 3, event: { n: 1 } }]);
  });

  it('stops retrying once an attempt succeeds', async () => {
    let calls = 0;
    const invoker = createInvoker({ region: 'us-east-1', retryDelayMs: 1 });
    invoker.invoke(
      'train',
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('transient');
      },
      {},
    );
    await invoker.idle();
    expect(calls).toBe(2);
    expect(invoker.failures).toEqual([]);
  });

  it('gives each attempt its own copy of the event, as each delivery deserialises it', async () => {
    const invoker = createInvoker({ region: 'us-east-1', retryDelayMs: 1 });
    const event = { Records: [{ n: 1 }] };
    const received: unknown[] = [];
    invoker.invoke(
      'merge',
      async (e: unknown) => {
        received.push(e);
      },
      event,
    );
    await invoker.idle();
    expect(received).toEqual([event]);
    expect(received[0]).not.toBe(event);
  });
});
