import { isDeepStrictEqual } from 'node:util';
import { endpointStatePattern } from '../../../lib/events/endpoint';
import { modelApprovalPattern, transformJobPattern } from '../../../lib/events/scoring';
import { S3_TRIGGERS, trainingJobPattern } from '../../../lib/events/triggers';
import { evaluationTransformPrefix, predictionTransformPrefix } from '../../../lib/models/transform';
import { stackNamePrefix } from '../../../lib/training/job-name';
import { bucketArn, dataBucket } from './check-bucket';
import {
  actionGrants,
  concrete,
  globMatches,
  globMayMatchFilter,
  list,
  type Resource,
  record,
  referencedId,
  render,
  roleStatements,
  type TemplateView,
} from './template-model';

/** A bucket notification as the template declares it. */
export interface S3Trigger {
  fn: string;
  event: string;
  prefix: string;
  suffix: string;
}

/** What triggers what: the same definitions local mode routes events by. */
export const EXPECTED_S3_TRIGGERS: readonly S3Trigger[] = S3_TRIGGERS;
export { trainingJobPattern };

function functionNameOf(view: TemplateView, target: unknown): string {
  const id = referencedId(target);
  for (const [name, fn] of view.functions()) if (fn.id === id) return name;
  return render(target);
}

/** The bucket's Lambda notification configurations, as filters per function. */
export function s3Triggers(view: TemplateView): S3Trigger[] {
  const bucket = dataBucket(view);
  if (!bucket) return [];
  return list(record(bucket.properties.NotificationConfiguration).LambdaConfigurations).map((entry) => {
    const configuration = record(entry);
    const rules = list(record(record(configuration.Filter).S3Key).Rules).map(record);
    const rule = (name: string) =>
      render(rules.find((candidate) => String(candidate.Name).toLowerCase() === name)?.Value ?? '');
    return {
      fn: functionNameOf(view, configuration.Function),
      event: render(configuration.Event),
      prefix: rule('prefix'),
      suffix: rule('suffix'),
    };
  });
}

function eventsOverlap(a: string, b: string): boolean {
  const base = (event: string) => event.replace(/\*$/, '');
  return base(a).startsWith(base(b)) || base(b).startsWith(base(a));
}

/** S3 rejects (or double-delivers) configurations whose event, prefix and suffix all overlap. */
export function overlappingTriggers(triggers: readonly S3Trigger[]): string[] {
  const problems: string[] = [];
  triggers.forEach((a, i) => {
    for (const b of triggers.slice(i + 1)) {
      const prefixes = a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix);
      const suffixes = a.suffix.endsWith(b.suffix) || b.suffix.endsWith(a.suffix);
      if (eventsOverlap(a.event, b.event) && prefixes && suffixes) {
        problems.push(
          `triggers: ${a.fn} (prefix "${a.prefix}", suffix "${a.suffix}") overlaps ${b.fn} (prefix "${b.prefix}", suffix "${b.suffix}")`,
        );
      }
    }
  });
  return problems;
}

/** Statements of `role` that let it create objects in the data bucket matching the trigger's filter. */
function writesUnderTrigger(role: Resource, arn: string, trigger: S3Trigger): string[] {
  const [, bucketName = ''] = /^arn:[^:]*:s3:::(.*)$/.exec(concrete(arn)) ?? [];
  const hits: string[] = [];
  for (const statement of roleStatements(role)) {
    if (statement.effect !== 'Allow' || !statement.actions.some((a) => actionGrants(a, 's3:PutObject'))) {
      continue;
    }
    for (const resource of statement.resources) {
      const match = /^arn:[^:]*:s3:::([^/]*)\/(.*)$/.exec(concrete(resource));
      const keyGlob =
        resource === '*'
          ? '*'
          : match && globMatches(match[1] ?? '', bucketName)
            ? (match[2] ?? '')
            : undefined;
      if (keyGlob !== undefined && globMayMatchFilter(keyGlob, trigger.prefix, trigger.suffix)) {
        hits.push(`${statement.sid} (${resource})`);
      }
    }
  }
  return hits;
}

function checkS3Triggers(view: TemplateView): string[] {
  const problems: string[] = [];
  const bucket = dataBucket(view);
  const triggers = s3Triggers(view);
  for (const expected of EXPECTED_S3_TRIGGERS) {
    if (!triggers.some((trigger) => isDeepStrictEqual(trigger, expected))) {
      problems.push(
        `triggers: ${expected.fn} is not triggered by ${expected.event} with prefix "${expected.prefix}" and suffix "${expected.suffix}"`,
      );
    }
  }
  for (const trigger of triggers) {
    if (!EXPECTED_S3_TRIGGERS.some((expected) => isDeepStrictEqual(trigger, expected))) {
      problems.push(
        `triggers: unexpected bucket trigger of ${trigger.fn} (${trigger.event}, prefix "${trigger.prefix}", suffix "${trigger.suffix}")`,
      );
    }
  }
  problems.push(...overlappingTriggers(triggers));
  if (!bucket) return problems;
  const arn = bucketArn(bucket);
  for (const trigger of triggers) {
    const fn = view.functions().get(trigger.fn);
    const role = fn && view.roleOf(fn);
    if (!fn || !role) continue;
    for (const hit of writesUnderTrigger(role, arn, trigger)) {
      problems.push(`triggers: ${trigger.fn} can write under "${trigger.prefix}" which triggers it: ${hit}`);
    }
    const invokable = view
      .ofType('AWS::Lambda::Permission')
      .some(
        (permission) =>
          referencedId(permission.properties.FunctionName) === fn.id &&
          permission.properties.Principal === 's3.amazonaws.com' &&
          render(permission.properties.SourceArn) === arn &&
          permission.properties.SourceAccount !== undefined,
      );
    if (!invokable) {
      problems.push(
        `triggers: no permission for the bucket (and only it, in this account) to invoke ${trigger.fn}`,
      );
    }
  }
  return problems;
}

function checkTrainingJobRule(view: TemplateView, jobPrefix: string): string[] {
  const complete = view.functions().get('complete');
  const rules = view
    .ofType('AWS::Events::Rule')
    .filter((rule) =>
      list(rule.properties.Targets).some((target) => referencedId(record(target).Arn) === complete?.id),
    );
  if (rules.length !== 1)
    return [`triggers: expected one EventBridge rule for complete, found ${rules.length}`];
  const [rule] = rules as [Resource];
  const problems: string[] = [];
  if (!isDeepStrictEqual(rule.properties.EventPattern, trainingJobPattern(jobPrefix))) {
    problems.push(
      `triggers: the rule for complete must match terminal states of jobs named "${jobPrefix}--*" only, got ${JSON.stringify(rule.properties.EventPattern)}`,
    );
  }
  if (rule.properties.EventBusName !== undefined && rule.properties.EventBusName !== 'default') {
    problems.push(
      'triggers: the rule for complete must be on the default bus (SageMaker events arrive there)',
    );
  }
  const target = record(list(rule.properties.Targets)[0]);
  if (!record(target.DeadLetterConfig).Arn) {
    problems.push('triggers: the rule for complete has no dead-letter queue for undeliverable events');
  }
  return problems;
}

/**
 * The evaluate function's three rules: this stack's evaluation transforms
 * ending, its model packages approved, its dataset endpoints changing state.
 */
function checkEvaluateRules(view: TemplateView, jobPrefix: string): string[] {
  const evaluate = view.functions().get('evaluate');
  const rules = view
    .ofType('AWS::Events::Rule')
    .filter((rule) =>
      list(rule.properties.Targets).some((target) => referencedId(record(target).Arn) === evaluate?.id),
    );
  const expected = [
    transformJobPattern(evaluationTransformPrefix(jobPrefix)),
    modelApprovalPattern(stackNamePrefix(jobPrefix)),
    endpointStatePattern(stackNamePrefix(jobPrefix)),
  ];
  const problems: string[] = [];
  for (const pattern of expected) {
    const rule = rules.find((r) => isDeepStrictEqual(r.properties.EventPattern, pattern));
    if (!rule) {
      problems.push(`triggers: evaluate needs a rule matching exactly ${JSON.stringify(pattern)}`);
      continue;
    }
    if (!record(record(list(rule.properties.Targets)[0]).DeadLetterConfig).Arn) {
      problems.push('triggers: a rule for evaluate has no dead-letter queue for undeliverable events');
    }
  }
  if (rules.length !== expected.length) {
    problems.push(
      `triggers: expected ${expected.length} EventBridge rules for evaluate, found ${rules.length}`,
    );
  }
  return problems;
}

/** The predict function's rule: this stack's prediction transforms ending, nothing else. */
function checkPredictRule(view: TemplateView, jobPrefix: string): string[] {
  const predict = view.functions().get('predict');
  const rules = view
    .ofType('AWS::Events::Rule')
    .filter((rule) =>
      list(rule.properties.Targets).some((target) => referencedId(record(target).Arn) === predict?.id),
    );
  const pattern = transformJobPattern(predictionTransformPrefix(jobPrefix));
  if (rules.length !== 1 || !isDeepStrictEqual(rules[0]?.properties.EventPattern, pattern)) {
    return [`triggers: predict needs one rule matching exactly ${JSON.stringify(pattern)}`];
  }
  if (!record(record(list(rules[0]?.properties.Targets)[0]).DeadLetterConfig).Arn) {
    return ['triggers: the rule for predict has no dead-letter queue for undeliverable events'];
  }
  return [];
}

/** The bucket triggers, their filters and permissions, and the SageMaker event rules. */
export function checkTriggers(view: TemplateView, jobPrefix: string): string[] {
  return [
    ...checkS3Triggers(view),
    ...checkTrainingJobRule(view, jobPrefix),
    ...checkEvaluateRules(view, jobPrefix),
    ...checkPredictRule(view, jobPrefix),
  ];
}
