import { readFileSync } from 'node:fs';
import { awsFixture } from './aws-fixtures';

/** The service model excerpt, copied into the repository (test/fixtures/aws/api). */
export const CREATE_TRAINING_JOB_SHAPES = awsFixture(
  'api',
  'sagemaker-CreateTrainingJob-shapes.botocore.json',
);

interface Shape {
  type: string;
  required?: string[];
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
}

/**
 * botocore patterns are Java regular expressions matched against the whole
 * value. The few Java-only constructs in SageMaker's models are translated; a
 * pattern that still does not compile fails loudly rather than being skipped.
 */
function compilePattern(pattern: string): RegExp {
  // Java also accepts a quantifier on the end anchor (`${1,128}` after a tag pattern), which means nothing.
  const js = pattern.replace(/\\p\{Alnum\}/g, 'a-zA-Z0-9').replace(/\$\{\d+(,\d*)?\}/g, '$');
  return new RegExp(`^(?:${js})$`, 'u');
}

/** Validates request objects against the botocore shapes: required members, types, lengths, patterns, enums, sizes. */
export class BotocoreValidator {
  private readonly shapes: Record<string, Shape>;
  private readonly patterns = new Map<string, RegExp>();

  constructor(file: string = CREATE_TRAINING_JOB_SHAPES) {
    const model = JSON.parse(readFileSync(file, 'utf8')) as { shapes: Record<string, Shape> };
    this.shapes = model.shapes;
    for (const [name, shape] of Object.entries(this.shapes)) {
      if (shape.pattern !== undefined) this.patterns.set(name, compilePattern(shape.pattern));
    }
  }

  /** Every violation of `shapeName` in `value`, each as `path: problem`; empty when valid. */
  validate(shapeName: string, value: unknown): string[] {
    const problems: string[] = [];
    this.check(shapeName, value, shapeName, problems);
    return problems;
  }

  private shape(name: string): Shape {
    const shape = this.shapes[name];
    if (!shape) throw new Error(`shape ${name} is not in the model`);
    return shape;
  }

  private size(at: string, count: number, shape: Shape, unit: string, problems: string[]): void {
    if (shape.min !== undefined && count < shape.min)
      problems.push(`${at}: ${count} ${unit}, min ${shape.min}`);
    if (shape.max !== undefined && count > shape.max)
      problems.push(`${at}: ${count} ${unit}, max ${shape.max}`);
  }

  private check(name: string, value: unknown, at: string, problems: string[]): void {
    const shape = this.shape(name);
    switch (shape.type) {
      case 'structure': {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          problems.push(`${at}: expected an object (${name})`);
          return;
        }
        const record = value as Record<string, unknown>;
        for (const member of shape.required ?? []) {
          if (record[member] === undefined) problems.push(`${at}.${member}: required`);
        }
        for (const [member, memberValue] of Object.entries(record)) {
          if (memberValue === undefined) continue;
          const ref = shape.members?.[member];
          if (!ref) {
            problems.push(`${at}.${member}: not a member of ${name}`);
            continue;
          }
          this.check(ref.shape, memberValue, `${at}.${member}`, problems);
        }
        return;
      }
      case 'list': {
        if (!Array.isArray(value)) {
          problems.push(`${at}: expected a list (${name})`);
          return;
        }
        this.size(at, value.length, shape, 'items', problems);
        value.forEach((item, i) => {
          this.check(shape.member?.shape ?? '', item, `${at}[${i}]`, problems);
        });
        return;
      }
      case 'map': {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          problems.push(`${at}: expected a map (${name})`);
          return;
        }
        const entries = Object.entries(value);
        this.size(at, entries.length, shape, 'entries', problems);
        for (const [key, entry] of entries) {
          this.check(shape.key?.shape ?? '', key, `${at} key "${key}"`, problems);
          this.check(shape.value?.shape ?? '', entry, `${at}["${key}"]`, problems);
        }
        return;
      }
      case 'string': {
        if (typeof value !== 'string') {
          problems.push(`${at}: expected a string (${name})`);
          return;
        }
        this.size(at, value.length, shape, 'characters', problems);
        if (shape.enum && !shape.enum.includes(value)) {
          problems.push(`${at}: "${value}" is not one of ${name}'s ${shape.enum.length} values`);
        }
        const pattern = this.patterns.get(name);
        if (pattern && !pattern.test(value))
          problems.push(`${at}: "${value}" does not match ${shape.pattern}`);
        return;
      }
      case 'integer':
      case 'long': {
        if (typeof value !== 'number' || !Number.isInteger(value)) {
          problems.push(`${at}: expected an integer (${name})`);
          return;
        }
        this.size(at, value, shape, '(value)', problems);
        return;
      }
      case 'boolean':
        if (typeof value !== 'boolean') problems.push(`${at}: expected a boolean (${name})`);
        return;
      case 'timestamp':
        if (!(value instanceof Date)) problems.push(`${at}: expected a Date (${name})`);
        return;
      default:
        problems.push(`${at}: shape type ${shape.type} is not supported by the validator`);
    }
  }
}

let shared: BotocoreValidator | undefined;

/** Problems of a CreateTrainingJob request against the service model; empty when SageMaker would accept its shape. */
export function createTrainingJobProblems(request: unknown): string[] {
  shared ??= new BotocoreValidator();
  return shared.validate('CreateTrainingJobRequest', request);
}

/** The service model excerpt of models, batch transform, the registry and endpoints. */
export const SCORING_SHAPES = awsFixture('api', 'sagemaker-evaluate-predict-serve-shapes.botocore.json');

let scoring: BotocoreValidator | undefined;

/** Problems of a CreateModel or CreateTransformJob request against the service model; empty when valid. */
export function scoringRequestProblems(
  shape: 'CreateModelInput' | 'CreateTransformJobRequest',
  request: unknown,
): string[] {
  scoring ??= new BotocoreValidator(SCORING_SHAPES);
  return scoring.validate(shape, request);
}
