import { describe, expect, it } from 'vitest';
import { overlappingTriggers } from './check-triggers';
import { actionGrants, globMayMatchFilter, render, statements } from './template-model';

describe('globMayMatchFilter', () => {
  it('matches a glob that can produce a key under the prefix', () => {
    expect(globMayMatchFilter('raw/*', 'raw/', '')).toBe(true);
    expect(globMayMatchFilter('*', 'train/', 'manifest.json')).toBe(true);
    expect(globMayMatchFilter('r*', 'raw/', '')).toBe(true);
  });

  it('rules out globs whose literal start or end cannot fit the filter', () => {
    expect(globMayMatchFilter('train/*', 'raw/', '')).toBe(false);
    expect(globMayMatchFilter('train/*.csv', 'train/', 'manifest.json')).toBe(false);
    expect(globMayMatchFilter('train/x/manifest.json', 'train/', 'manifest.json')).toBe(true);
    expect(globMayMatchFilter('train/x/other.json', 'train/', 'manifest.json')).toBe(false);
  });
});

describe('overlappingTriggers', () => {
  const merge = { fn: 'merge', event: 's3:ObjectCreated:*', prefix: 'raw/', suffix: '' };

  it('accepts disjoint prefixes', () => {
    expect(overlappingTriggers([merge, { ...merge, fn: 'train', prefix: 'train/' }])).toEqual([]);
  });

  it('reports nested prefixes when the suffixes overlap too', () => {
    expect(
      overlappingTriggers([merge, { ...merge, fn: 'other', prefix: 'raw/a/', suffix: '.csv' }]),
    ).toHaveLength(1);
  });

  it('accepts the same prefix with suffixes that cannot both match', () => {
    const csv = { ...merge, suffix: '.csv' };
    expect(overlappingTriggers([csv, { ...merge, fn: 'other', suffix: '.json' }])).toEqual([]);
  });

  it('treats ObjectCreated:* as overlapping every ObjectCreated event, but not removals', () => {
    expect(
      overlappingTriggers([merge, { ...merge, fn: 'other', event: 's3:ObjectCreated:Put' }]),
    ).toHaveLength(1);
    expect(overlappingTriggers([merge, { ...merge, fn: 'other', event: 's3:ObjectRemoved:*' }])).toEqual([]);
  });
});

describe('policy helpers', () => {
  it('renders intrinsic functions as substitution text', () => {
    expect(render({ 'Fn::GetAtt': ['Role', 'Arn'] })).toBe(`\${Role.Arn}`);
    expect(render({ Ref: 'AWS::Region' })).toBe(`\${AWS::Region}`);
    expect(render({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::b']] })).toBe(
      `arn:\${AWS::Partition}:s3:::b`,
    );
  });

  it('grants actions by IAM wildcards, ignoring case', () => {
    expect(actionGrants('s3:Put*', 's3:PutObject')).toBe(true);
    expect(actionGrants('S3:PUTOBJECT', 's3:PutObject')).toBe(true);
    expect(actionGrants('s3:Get*', 's3:PutObject')).toBe(false);
  });

  it('includes both branches of a conditional statement and drops NoValue', () => {
    const document = {
      Statement: [
        { 'Fn::If': ['C', { Effect: 'Allow', Action: 'a:B', Resource: 'r' }, { Ref: 'AWS::NoValue' }] },
      ],
    };
    expect(statements(document).map((s) => s.actions)).toEqual([['a:B']]);
  });
});
