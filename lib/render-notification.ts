import type { PipelineEvent } from './notifications';

/** SNS subjects are at most 100 ASCII characters. */
function subjectLine(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= 100 ? ascii : `${ascii.slice(0, 97)}...`;
}

/** The email a person reads for `event`: a subject with dataset and status, and a plain-text body. */
export function renderMessage(event: PipelineEvent): { subject: string; body: string } {
  const d = event.detail;
  const subject = subjectLine(`sagedrop: ${d.dataset}: ${event.detailType}`);
  const lines = [`${event.detailType} for dataset "${d.dataset}".`, ''];
  for (const [key, value] of Object.entries(d)) {
    if (key === 'schemaVersion' || value === undefined) continue;
    lines.push(`${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  }
  return { subject, body: lines.join('\n') };
}
