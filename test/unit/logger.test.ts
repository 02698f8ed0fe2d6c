import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../support/logs';

describe('createLogger', () => {
  it('writes an error with its cause chain, and each error of an AggregateError', () => {
    const { logger, lines } = recordingLogger();
    const aggregate = new AggregateError(
      [new Error('Rate exceeded', { cause: new Error('socket hang up') }), 'not an error'],
      '2 of 2 failed',
    );
    logger.error('invocation failed', { error: aggregate });
    expect(lines[0]?.error).toMatchObject({
      name: 'AggregateError',
      message: '2 of 2 failed',
      errors: [{ message: 'Rate exceeded', cause: { message: 'socket hang up' } }, 'not an error'],
    });
  });
});
