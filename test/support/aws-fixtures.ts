import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The repository's copy of AWS reference files (event samples, API shapes, image tables); see its README. */
export const AWS_FIXTURES = path.resolve(__dirname, '../fixtures/aws');

/** A path inside `test/fixtures/aws/`. */
export const awsFixture = (...parts: string[]): string => path.join(AWS_FIXTURES, ...parts);

/** A documented AWS event sample from `test/fixtures/aws/events/`, parsed. */
export function readAwsEvent<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(awsFixture('events', name), 'utf8')) as T;
}
