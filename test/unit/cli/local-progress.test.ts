import { describe, expect, it } from 'vitest';
import { createProgressPrinter } from '../../../cli/local-progress';
import type { LocalStep } from '../../../lib/local/runtime';
import type { TrainingStateChangeEvent } from '../../../lib/local/training/training-event';

function started(job: string): LocalStep {
  const event = {
    detail: { TrainingJobName: job, TrainingJobStatus: 'InProgress' },
  } as unknown as TrainingStateChangeEvent;
  return { kind: 'training-state', event, routedToComplete: true };
}

const progress = (done: number): LocalStep => ({
  kind: 'training-progress',
  job: 'job-1',
  done,
  total: 15,
  unit: 'epochs',
});

describe('local progress output', () => {
  it('shows how far a long training job has come, at most once per interval, and not for short jobs', () => {
    let clock = 0;
    const lines: string[] = [];
    const printer = createProgressPrinter(
      { out: (text) => lines.push(text), err: (text) => lines.push(text) },
      { progressIntervalMs: 2000, now: () => clock },
    );
    printer.onStep(started('job-1'));
    clock = 1500;
    printer.onStep(progress(1));
    clock = 2100;
    printer.onStep(progress(2));
    clock = 3000;
    printer.onStep(progress(3));
    clock = 4200;
    printer.onStep(progress(4));
    clock = 9000;
    printer.onStep(progress(15));
    expect(lines.slice(1)).toEqual([
      'training job job-1: 2 of 15 epochs',
      'training job job-1: 4 of 15 epochs',
    ]);
  });
});
