import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { type FunctionReplayer, ReplayFailedError } from '../stages/redrive';

/** The error a function returned, from the payload of a failed synchronous invoke. */
function functionError(payload: Uint8Array | undefined, kind: string): string {
  const text = payload ? Buffer.from(payload).toString('utf8') : '';
  try {
    const { errorType, errorMessage } = JSON.parse(text) as { errorType?: string; errorMessage?: string };
    if (errorMessage) return errorType ? `${errorType}: ${errorMessage}` : errorMessage;
  } catch {
    // Not JSON: show it as it is.
  }
  return text || `${kind} error without a message`;
}

/**
 * Replays events into deployed functions with a synchronous (RequestResponse)
 * invoke, so the answer says whether the function handled the event. A
 * synchronous invoke is not retried by Lambda and never goes to the
 * on-failure destination: a replay that fails leaves the queue as it was.
 */
export function createLambdaReplayer(client: LambdaClient): FunctionReplayer {
  return {
    async replay(functionName, event) {
      const answer = await client.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'RequestResponse',
          Payload: Buffer.from(JSON.stringify(event)),
        }),
      );
      if (answer.FunctionError) {
        throw new ReplayFailedError(functionError(answer.Payload, answer.FunctionError));
      }
      if (answer.StatusCode !== undefined && answer.StatusCode !== 200) {
        throw new ReplayFailedError(`Lambda answered ${answer.StatusCode}`);
      }
    },
  };
}
