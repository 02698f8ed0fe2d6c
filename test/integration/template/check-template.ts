import { checkBucket } from './check-bucket';
import { checkFailureLoop } from './check-failure-loop';
import { checkFunctions, environmentOf } from './check-functions';
import { checkIam } from './check-iam';
import { checkTriggers } from './check-triggers';
import { render, TemplateView } from './template-model';

/**
 * Every way the compiled stack falls short of its protections, as sentences
 * naming the resource; empty when the template is sound. Pure: reads only the
 * template, so tests can break a copy and watch the check notice.
 */
export function checkTemplate(template: unknown): string[] {
  const view = new TemplateView(template);
  const jobPrefix = render(environmentOf(view, 'merge').JOB_PREFIX ?? '');
  return [
    ...checkBucket(view),
    ...checkTriggers(view, jobPrefix),
    ...checkIam(view),
    ...checkFunctions(view, jobPrefix),
    ...checkFailureLoop(view),
  ];
}
