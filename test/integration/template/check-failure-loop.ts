import {
  list,
  type Resource,
  record,
  referencedId,
  roleStatements,
  type TemplateView,
} from './template-model';

const FOURTEEN_DAYS = 14 * 24 * 3600;

/** Queues the functions' on-failure destinations and the rules' dead-letter configs send to. */
function failureQueueIds(view: TemplateView): Set<string> {
  const ids = new Set<string>();
  for (const config of view.ofType('AWS::Lambda::EventInvokeConfig')) {
    const id = referencedId(record(record(config.properties.DestinationConfig).OnFailure).Destination);
    if (id) ids.add(id);
  }
  for (const rule of view.ofType('AWS::Events::Rule')) {
    for (const target of list(rule.properties.Targets).map(record)) {
      const id = referencedId(record(target.DeadLetterConfig).Arn);
      if (id) ids.add(id);
    }
  }
  return ids;
}

function redriveQueueOf(view: TemplateView, failureQueue: Resource): Resource | undefined {
  const id = referencedId(record(failureQueue.properties.RedrivePolicy).deadLetterTargetArn);
  return id ? view.get(id) : undefined;
}

function checkMapping(view: TemplateView, mapping: Resource, failureQueues: Set<string>): string[] {
  const problems: string[] = [];
  const queueId = referencedId(mapping.properties.EventSourceArn) ?? '';
  const fnId = referencedId(mapping.properties.FunctionName) ?? '';
  if (!failureQueues.has(queueId)) {
    return [`failure-loop: ${mapping.id} makes ${fnId} consume ${queueId}, which is not the failure queue`];
  }
  if (!list(mapping.properties.FunctionResponseTypes).includes('ReportBatchItemFailures')) {
    problems.push(
      `failure-loop: ${mapping.id} does not report batch item failures: every message the alert function sees would be deleted, not kept for redrive`,
    );
  }
  const queue = view.get(queueId);
  const fn = view.get(fnId);
  const visibility = Number(queue?.properties.VisibilityTimeout ?? 30);
  const timeout = Number(fn?.properties.Timeout ?? 6);
  if (visibility < timeout) {
    problems.push(
      `failure-loop: ${queueId} hides a message ${visibility} s, less than ${fnId}'s ${timeout} s`,
    );
  }
  return problems;
}

/**
 * The operator's loop: every failure queue is read by exactly one function
 * (the alert), which hands every message back, and whose redrive policy moves
 * the messages to a redrive queue that keeps them 14 days and that no function
 * reads or deletes from: only `sagedrop redrive` consumes it.
 */
export function checkFailureLoop(view: TemplateView): string[] {
  const problems: string[] = [];
  const failureQueues = failureQueueIds(view);
  const mappings = view.ofType('AWS::Lambda::EventSourceMapping');
  for (const mapping of mappings) problems.push(...checkMapping(view, mapping, failureQueues));
  for (const queueId of failureQueues) {
    const queue = view.get(queueId);
    if (!queue) continue;
    const readers = mappings.filter((m) => referencedId(m.properties.EventSourceArn) === queueId);
    if (readers.length !== 1) {
      problems.push(
        `failure-loop: ${queueId} is read by ${readers.length} functions, not one alert function`,
      );
    }
    const redrive = redriveQueueOf(view, queue);
    const maxReceive = Number(record(queue.properties.RedrivePolicy).maxReceiveCount);
    if (redrive?.type !== 'AWS::SQS::Queue') {
      problems.push(
        `failure-loop: ${queueId} has no redrive queue: failed events never reach \`sagedrop redrive\``,
      );
      continue;
    }
    if (!Number.isInteger(maxReceive) || maxReceive < 1 || maxReceive > 10) {
      problems.push(`failure-loop: ${queueId} moves messages after ${maxReceive} deliveries, not 1 to 10`);
    }
    if (Number(redrive.properties.MessageRetentionPeriod) !== FOURTEEN_DAYS) {
      problems.push(`failure-loop: redrive queue ${redrive.id} does not keep messages for 14 days`);
    }
    if (redrive.properties.SqsManagedSseEnabled !== true && redrive.properties.KmsMasterKeyId === undefined) {
      problems.push(`failure-loop: redrive queue ${redrive.id} is not encrypted`);
    }
    if (mappings.some((m) => referencedId(m.properties.EventSourceArn) === redrive.id)) {
      problems.push(`failure-loop: a function consumes the redrive queue ${redrive.id}`);
    }
    for (const role of view.ofType('AWS::IAM::Role')) {
      const reads = roleStatements(role).some(
        (s) =>
          s.effect === 'Allow' &&
          s.resources.includes(`\${${redrive.id}.Arn}`) &&
          s.actions.some((a) => /^sqs:(ReceiveMessage|DeleteMessage|\*)$/.test(a)),
      );
      if (reads)
        problems.push(`failure-loop: ${role.id} may take messages off the redrive queue ${redrive.id}`);
    }
  }
  return problems;
}
