/**
 * A read-only view of a compiled CloudFormation template, with intrinsic
 * functions rendered as `Fn::Sub`-style text (`${AWS::Region}`, `${Role.Arn}`)
 * so that ARNs can be compared as strings.
 */

export type Json = Record<string, unknown>;

export interface Resource {
  id: string;
  type: string;
  properties: Json;
  condition?: string;
  deletionPolicy?: string;
}

export interface Statement {
  effect: 'Allow' | 'Deny';
  actions: string[];
  resources: string[];
  /** Set when the statement uses NotAction / NotResource, which this project never should. */
  negated: boolean;
  condition: Json;
  sid: string;
}

export function record(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

export function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Text of a scalar or intrinsic: `{Ref: X}` -> `${X}`, `{Fn::GetAtt: [X, Arn]}` -> `${X.Arn}`. */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const node = record(value);
  if (typeof node.Ref === 'string') return `\${${node.Ref}}`;
  const getAtt = node['Fn::GetAtt'];
  if (getAtt !== undefined) {
    const [id, attribute] = typeof getAtt === 'string' ? getAtt.split('.') : list(getAtt).map(render);
    return `\${${id}.${attribute}}`;
  }
  const sub = node['Fn::Sub'];
  if (sub !== undefined) return typeof sub === 'string' ? sub : render(list(sub)[0]);
  const join = node['Fn::Join'];
  if (join !== undefined) {
    const [separator, parts] = list(join);
    return list(parts).map(render).join(render(separator));
  }
  return JSON.stringify(value);
}

const PSEUDO_PARAMETERS: Record<string, string> = {
  '${AWS::Partition}': 'aws',
  '${AWS::Region}': 'region',
  '${AWS::AccountId}': '123456789012',
};

/** `text` with pseudo parameters replaced by sample values, so ARNs split on `:` as deployed ones do. */
export function concrete(text: string): string {
  return text.replace(
    /\$\{AWS::(Partition|Region|AccountId)\}/g,
    (match) => PSEUDO_PARAMETERS[match] ?? match,
  );
}

/** The logical id a `{Ref}` or `{Fn::GetAtt}` points at, if it is one. */
export function referencedId(value: unknown): string | undefined {
  const text = render(value);
  const match = /^\$\{([A-Za-z0-9]+)(?:\.[A-Za-z]+)?\}$/.exec(text);
  return match?.[1];
}

export class TemplateView {
  readonly resources: Resource[];

  constructor(readonly raw: unknown) {
    this.resources = Object.entries(record(record(raw).Resources)).map(([id, value]) => {
      const resource = record(value);
      return {
        id,
        type: String(resource.Type),
        properties: record(resource.Properties),
        ...(typeof resource.Condition === 'string' ? { condition: resource.Condition } : {}),
        ...(typeof resource.DeletionPolicy === 'string' ? { deletionPolicy: resource.DeletionPolicy } : {}),
      };
    });
  }

  ofType(type: string): Resource[] {
    return this.resources.filter((resource) => resource.type === type);
  }

  get(id: string): Resource | undefined {
    return this.resources.find((resource) => resource.id === id);
  }

  /** Lambda functions by their short name (`merge` for `MergeLambdaFunction`). */
  functions(): Map<string, Resource> {
    return new Map(
      this.ofType('AWS::Lambda::Function').map((fn) => {
        const short = fn.id.replace(/LambdaFunction$/, '');
        return [short.charAt(0).toLowerCase() + short.slice(1), fn] as const;
      }),
    );
  }

  /** The role resource a function runs as, when the stack defines it. */
  roleOf(fn: Resource): Resource | undefined {
    const id = referencedId(fn.properties.Role);
    return id ? this.get(id) : undefined;
  }
}

/**
 * Statements of a policy document. `Fn::If` alternatives are both included
 * (either may be deployed); `AWS::NoValue` is dropped.
 */
export function statements(document: unknown): Statement[] {
  const out: Statement[] = [];
  const add = (value: unknown) => {
    const node = record(value);
    const alternatives = node['Fn::If'];
    if (alternatives !== undefined) {
      for (const branch of list(alternatives).slice(1)) add(branch);
      return;
    }
    if (node.Ref === 'AWS::NoValue' || node.Effect === undefined) return;
    out.push({
      effect: node.Effect === 'Deny' ? 'Deny' : 'Allow',
      actions: list(node.Action ?? node.NotAction).map(render),
      resources: list(node.Resource ?? node.NotResource).map(render),
      negated: node.NotAction !== undefined || node.NotResource !== undefined,
      condition: record(node.Condition),
      sid: typeof node.Sid === 'string' ? node.Sid : '(no Sid)',
    });
  };
  for (const statement of list(record(document).Statement)) add(statement);
  return out;
}

/** Inline policy statements of a role. */
export function roleStatements(role: Resource): Statement[] {
  return list(role.properties.Policies).flatMap((policy) => statements(record(policy).PolicyDocument));
}

/** Does IAM action pattern `pattern` (wildcards allowed) grant `action`? Case-insensitive, like IAM. */
export function actionGrants(pattern: string, action: string): boolean {
  return globMatches(pattern.toLowerCase(), action.toLowerCase());
}

/** Does glob `pattern` (`*`, `?`) match all of `text`? */
export function globMatches(pattern: string, text: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 's').test(text);
}

/**
 * Could a key matched by `glob` start with `prefix` and end with `suffix`?
 * Conservative: says yes whenever the glob's literal ends do not rule it out.
 */
export function globMayMatchFilter(glob: string, prefix: string, suffix: string): boolean {
  const first = glob.search(/[*?]/);
  if (first === -1) return glob.startsWith(prefix) && glob.endsWith(suffix);
  const head = glob.slice(0, first);
  const tail = glob.slice(Math.max(glob.lastIndexOf('*'), glob.lastIndexOf('?')) + 1);
  const headFits = head.startsWith(prefix) || prefix.startsWith(head);
  const tailFits = tail.endsWith(suffix) || suffix.endsWith(tail);
  return headFits && tailFits;
}
