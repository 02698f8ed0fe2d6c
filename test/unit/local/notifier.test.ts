import { describe, expect, it } from 'vitest';
import { createLocalNotifier, type LocalNotification } from '../../../lib/local/notifier';
import type { PipelineEvent } from '../../../lib/notifications/events';
import { renderMessage } from '../../../lib/notifications/render';

const rejected: PipelineEvent = {
  detailType: 'Dataset Rejected',
  detail: {
    schemaVersion: '1.0',
    dataset: 'iris',
    message: 'raw/iris/x.csv row 3 column 2: "x" is not a number',
    file: 'raw/iris/x.csv',
    row: 3,
    column: 2,
    hint: 'Use numbers only.',
    reportUri: 's3://b/errors/iris/r.json',
  },
};

describe('createLocalNotifier', () => {
  it('keeps each notification rendered as the email reads and hands it to the listener', async () => {
    const heard: LocalNotification[] = [];
    const notifier = createLocalNotifier((n) => heard.push(n));
    await notifier.notify(rejected);
    const expected = { event: rejected, ...renderMessage(rejected) };
    expect(notifier.sent).toEqual([expected]);
    expect(heard).toEqual([expected]);
  });
});
