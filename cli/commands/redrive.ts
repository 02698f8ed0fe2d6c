import { resolve } from 'node:path';
import { UsageError } from '../command';
import { lazy } from '../lazy';
import { defineCommand, verboseOption } from '../options';

export const redriveCommand = defineCommand({
  name: 'redrive',
  summary: 'replay the events that failed every attempt into the functions they came from',
  description: `Reads the failure queue of a deployed stage (--stage) or of the local stack
(--local) and replays each event into the function it came from, one at a
time, waiting for the answer. A message is deleted only when its replay
succeeded; one that fails again stays in the queue (the line says why), and
so does one that cannot be replayed. Replaying is safe: every function is
idempotent, so an event that did part of its work before failing finishes it,
and one replayed twice does nothing the second time.`,
  options: {
    stage: { type: 'string', value: 'S', help: 'the deployed stage (`npx sls deploy --stage S`)' },
    region: { type: 'string', value: 'R', help: "the stage's region (default: from your AWS configuration)" },
    local: {
      type: 'boolean',
      help: 'the local stack instead: the failures `sagedrop serve` or `local` kept',
    },
    dir: {
      type: 'string',
      value: 'DIR',
      help: 'with --local: the folder of the local stack (default: ./.sagedrop)',
    },
    'dry-run': { type: 'boolean', help: 'only list what would be replayed; change nothing' },
    verbose: verboseOption,
  },
  notes: `On AWS this uses your own credentials: cloudformation:DescribeStacks and
ListStackResources on the stack, sqs:ReceiveMessage, DeleteMessage,
ChangeMessageVisibility and GetQueueAttributes on its queues, and
lambda:InvokeFunction on its functions. Events reach the queue read here a
few minutes after they failed (the alert function reports them first).`,
  exits: {
    ok: 'every event was replayed (or, with --dry-run, listed), or there was none',
    failed: 'some events failed again or cannot be replayed: they are still in the queue',
  },
  async run({ options }, io) {
    const dryRun = options['dry-run'];
    if (options.local) {
      if (options.stage || options.region) {
        throw new UsageError('--local replays the local stack: leave out --stage and --region');
      }
      const dir = resolve(options.dir ?? '.sagedrop');
      return lazy.redrive().redriveLocal(io, {
        dir: resolve(dir, 's3'),
        failureDir: resolve(dir, 'failures'),
        dryRun,
        verbose: options.verbose,
      });
    }
    if (!options.stage) {
      throw new UsageError(
        'give --stage S for a deployed stage, or --local for the local stack. Run `sagedrop redrive --help`.',
      );
    }
    if (options.dir) throw new UsageError('--dir goes with --local only');
    return lazy.redrive().redriveDeployed(io, {
      stage: options.stage,
      ...(options.region ? { region: options.region } : {}),
      dryRun,
    });
  },
});
