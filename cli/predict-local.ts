import { dirname } from 'node:path';
import { startLocalStack } from '../lib/local/runtime';
import { createLogger, silentLogger } from '../lib/logger';
import { type CommandIO, EXIT } from './command';
import {
  downloadPredictions,
  predictionAnswer,
  scoreTarget,
  summaryLines,
  uploadForScoring,
} from './predict-run';

export interface PredictInput {
  dataset: string;
  x: string;
  out: string | undefined;
  verbose: boolean;
}

/**
 * `sagedrop predict --dir`: uploads the file to the local stack kept in
 * `stateDir` (whose champion a `sagedrop local` run made), lets the predict
 * function and the local batch transform run, and downloads the predictions.
 */
export async function predictLocally(
  io: CommandIO,
  input: PredictInput & { stateDir: string; failureDir: string; defaultOut: (name: string) => string },
): Promise<number> {
  const stack = await startLocalStack({
    dir: input.stateDir,
    failureDir: input.failureDir,
    redriveCommand: `npx sagedrop redrive --local --dir ${dirname(input.failureDir)}`,
    logger: input.verbose ? createLogger({ level: 'debug', write: io.err }) : silentLogger,
  });
  const earlier = new Set(stack.failures.map((f) => f.requestId));
  try {
    const target = await scoreTarget(input.dataset, input.x);
    const id = await uploadForScoring(stack.client, stack.store, stack.bucket, target.key, input.x);
    io.err(
      `uploaded ${input.x} to s3://${stack.bucket}/${target.key} (local stack in ${dirname(input.stateDir)})`,
    );
    await stack.waitForIdle();
    for (const failure of stack.failures.filter((f) => !earlier.has(f.requestId))) {
      const message = failure.error instanceof Error ? failure.error.message : String(failure.error);
      io.err(`${failure.fn} function failed ${failure.attempts} times: ${message}`);
      return EXIT.unavailable;
    }
    const answer = await predictionAnswer(stack.store, input.dataset, target.name, id);
    if (answer.state === 'ready') {
      const out = input.out ?? input.defaultOut(target.name);
      await downloadPredictions(stack.store, answer.record.output, out);
      io.out(summaryLines(answer.record, out, stack.bucket).join('\n'));
      return EXIT.ok;
    }
    if (answer.state === 'rejected') {
      const local =
        answer.code === 'NO_CHAMPION'
          ? ` Locally: \`sagedrop local --x X --y Y --dataset ${input.dataset} --dir ${dirname(input.stateDir)}\` trains one.`
          : '';
      io.err(`predictions rejected: ${answer.message.replace(/\.$/, '')}. ${answer.hint ?? ''}${local}`);
      return EXIT.failed;
    }
    if (answer.state === 'failed') {
      io.err(`the local batch transform failed: ${answer.reason}`);
      return EXIT.failed;
    }
    io.err(
      answer.state === 'superseded'
        ? `a newer upload of ${target.key} was scored first; its predictions stay in the bucket`
        : `the local stack went quiet without answering for ${target.key}`,
    );
    return answer.state === 'superseded' ? EXIT.failed : EXIT.internal;
  } finally {
    await stack.stop();
  }
}
