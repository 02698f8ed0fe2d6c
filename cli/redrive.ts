import { readdir } from 'node:fs/promises';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createSqsFailureQueue, type QueueDepth, queueDepth } from '../lib/aws/failure-queue';
import { createLambdaReplayer } from '../lib/aws/function-replayer';
import { startLocalStack } from '../lib/local/runtime';
import { createLogger, silentLogger } from '../lib/logger';
import { describeRedriveResult, type RedriveResult, redriveFailures } from '../lib/stages/redrive';
import { type CommandIO, EXIT, UnavailableError } from './command';
import { cloudFormationClient, type DeployedStack, readDeployedStack } from './deployed-stack';
import { createProgressPrinter } from './local-progress';

/** The slowest function (merge) may run 15 minutes: a replayed message stays hidden a minute longer. */
const REPLAY_VISIBILITY_SECONDS = 16 * 60;
/** A dry run only reads: long enough to list a large queue once, short enough not to be in the way. */
const DRY_RUN_VISIBILITY_SECONDS = 5 * 60;

function summary(results: RedriveResult[], dryRun: boolean): { line: string; exitCode: number } {
  const count = (outcome: RedriveResult['outcome']) => results.filter((r) => r.outcome === outcome).length;
  const kept = count('failed') + count('kept') + count('too-recent');
  if (results.length === 0)
    return { line: 'the failure queue is empty: nothing to replay', exitCode: EXIT.ok };
  if (dryRun) {
    return {
      line: `dry run: ${count('would-replay')} event(s) would be replayed, ${count('too-recent')} not yet, ${count('kept')} cannot be; nothing was changed`,
      exitCode: EXIT.ok,
    };
  }
  const parts = [`${count('replayed')} replayed`];
  if (count('duplicate') > 0) parts.push(`${count('duplicate')} duplicate(s) deleted`);
  if (count('failed') > 0) parts.push(`${count('failed')} failed again`);
  if (count('kept') > 0) parts.push(`${count('kept')} cannot be replayed`);
  if (count('too-recent') > 0) parts.push(`${count('too-recent')} too recent to replay yet`);
  const line = `${parts.join(', ')}${kept > 0 ? `; ${kept} message(s) kept in the queue` : ''}`;
  return { line, exitCode: kept > 0 ? EXIT.failed : EXIT.ok };
}

function arriving(depth: QueueDepth | undefined): string | undefined {
  const total = depth ? depth.visible + depth.inFlight : 0;
  if (!depth || total === 0) return undefined;
  return `${total} more failed event(s) are in the failure queue, being reported; they reach the redrive queue within minutes: run this again then`;
}

function requireQueue(stack: DeployedStack): string {
  if (stack.redriveQueueUrl) return stack.redriveQueueUrl;
  throw new UnavailableError(
    `stack ${stack.stackName} has no RedriveQueueUrl output: it was deployed by an older sagedrop; deploy it again (npx sls deploy)`,
  );
}

/**
 * `sagedrop redrive --stage S`: replays the deployed stage's redrive queue
 * into its functions with the user's credentials, printing one line per event.
 */
export async function redriveDeployed(
  io: CommandIO,
  input: { stage: string; region?: string; dryRun: boolean },
): Promise<number> {
  const cloudFormation = cloudFormationClient(input.region);
  const config = input.region ? { region: input.region } : {};
  const sqs = new SQSClient(config);
  // A synchronous invoke of the merge may take its whole 15 minutes.
  const lambda = new LambdaClient({
    ...config,
    requestHandler: { requestTimeout: REPLAY_VISIBILITY_SECONDS * 1000 },
  });
  try {
    const stack = await readDeployedStack(cloudFormation, input.stage, input.region);
    const queueUrl = requireQueue(stack);
    io.out(`${input.dryRun ? 'reading' : 'replaying'} ${queueUrl}`);
    const results = await redriveFailures({
      queue: createSqsFailureQueue({
        client: sqs,
        queueUrl,
        visibilitySeconds: input.dryRun ? DRY_RUN_VISIBILITY_SECONDS : REPLAY_VISIBILITY_SECONDS,
        batchSize: input.dryRun ? 10 : 1,
      }),
      replayer: createLambdaReplayer(lambda),
      isStackFunction: (name) => stack.functions.has(name),
      dryRun: input.dryRun,
      onResult: (result) => io.out(describeRedriveResult(result)),
    });
    const { line, exitCode } = summary(results, input.dryRun);
    io.out(line);
    const more = arriving(stack.failureQueueUrl ? await queueDepth(sqs, stack.failureQueueUrl) : undefined);
    if (more) io.out(more);
    return exitCode;
  } finally {
    cloudFormation.destroy();
    sqs.destroy();
    lambda.destroy();
  }
}

/**
 * `sagedrop redrive --local`: replays the failures a local stack kept in
 * `failureDir` into the local functions, and lets what they start finish.
 */
export async function redriveLocal(
  io: CommandIO,
  input: { dir: string; failureDir: string; dryRun: boolean; verbose: boolean },
): Promise<number> {
  const printer = createProgressPrinter(io);
  const stack = await startLocalStack({
    dir: input.dir,
    failureDir: input.failureDir,
    onStep: printer.onStep,
    logger: input.verbose ? createLogger({ level: 'debug', write: io.err }) : silentLogger,
  });
  printer.attach(stack);
  try {
    io.out(`${input.dryRun ? 'reading' : 'replaying'} the local failure list ${input.failureDir}`);
    const results = await stack.redrive({
      dryRun: input.dryRun,
      onResult: (result) => io.out(describeRedriveResult(result)),
    });
    await printer.flush();
    const { line, exitCode } = summary(results, input.dryRun);
    io.out(line);
    return exitCode;
  } finally {
    await stack.stop();
  }
}

/** How many failed events wait: in the deployed stage's queues, or in a local failure folder. */
export interface FailureCounts {
  /** Waiting for `sagedrop redrive`. */
  waiting: number;
  /** Still in the failure queue, being reported (deployed stacks only). */
  arriving?: number;
}

/** The failure counts of a deployed stage (approximate, as SQS counts). */
export async function deployedFailureCounts(stack: DeployedStack, region?: string): Promise<FailureCounts> {
  const sqs = new SQSClient(region ? { region } : {});
  try {
    const waiting = stack.redriveQueueUrl ? await queueDepth(sqs, stack.redriveQueueUrl) : undefined;
    const arriving = stack.failureQueueUrl ? await queueDepth(sqs, stack.failureQueueUrl) : undefined;
    const counts: FailureCounts = { waiting: waiting ? waiting.visible + waiting.inFlight : 0 };
    if (arriving) counts.arriving = arriving.visible + arriving.inFlight;
    return counts;
  } finally {
    sqs.destroy();
  }
}

/** The failures a local stack kept in `failureDir` (none when the folder does not exist). */
export async function localFailureCount(failureDir: string): Promise<number> {
  const names = await readdir(failureDir).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith('.json')).length;
}

/** The line `sagedrop status` prints about failed events; `where` names a local folder. */
export function describeFailureCounts(counts: FailureCounts, replay: string, where?: string): string {
  const queue = where ? `failure queue (${where})` : 'failure queue';
  const arriving = counts.arriving ? `; ${counts.arriving} more arriving (being reported)` : '';
  if (counts.waiting === 0 && !counts.arriving) return `${queue}: empty`;
  return `${queue}: ${counts.waiting} failed event(s) wait for \`${replay}\`${arriving}`;
}
