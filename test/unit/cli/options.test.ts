import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/command';
import { commands } from '../../../cli/commands';
import { datasetName, defineCommand, parseCommandLine, renderUsage } from '../../../cli/options';
import { keys, parseRawKey } from '../../../lib/layout';

const silent = { out: () => {}, err: () => {} };

/** The `--flag` names in the options section of a command's `--help`. */
function flagsInHelp(usage: string): string[] {
  const section = usage.split('\n\noptions:\n')[1]?.split('\n\n')[0] ?? '';
  return [...section.matchAll(/^ {2}--([a-z-]+)/gm)].map((m) => m[1] ?? '');
}

/** The problem the parser reports for `argv`, or undefined when it parses. */
async function parseProblem(argv: string[], command = commands[0]): Promise<string | undefined> {
  try {
    await command?.run(argv, silent);
    return undefined;
  } catch (error) {
    return error instanceof UsageError ? error.message : `not a usage error: ${String(error)}`;
  }
}

describe('a command declared as data', () => {
  const declaration = {
    name: 'try',
    summary: 'a command for the test',
    description: 'Does nothing.',
    positionals: [{ name: 'FILE', help: 'a file' }],
    options: {
      bucket: { type: 'string', value: 'B', help: 'the bucket', required: true },
      count: { type: 'string', value: 'N', help: 'how many\nat most', parse: (raw: string) => Number(raw) },
      json: { type: 'boolean', help: 'as JSON' },
    },
    exits: { ok: 'it worked', failed: 'it said no' },
    run: async () => 0,
  } as const;

  it('renders a usage line, arguments, options with continuation lines, and exit codes', () => {
    const usage = renderUsage(declaration);
    expect(usage.split('\n')[0]).toBe('usage: sagedrop try FILE --bucket B [--count N] [--json]');
    expect(usage).toContain('  --count N         how many\n                    at most');
    expect(usage).toMatch(/^ {2}FILE {2,}a file$/m);
    expect(usage).toMatch(
      /exit codes:\n {2}0 {2}it worked\n {2}1 {2}it said no\n {2}2 {2}the command line is wrong/,
    );
  });

  it('gives run typed values: parsed, flags as booleans, absent options undefined', async () => {
    const parsed = await parseCommandLine(declaration, ['f.csv', '--bucket', 'b', '--count', '3']);
    expect(parsed).toEqual({
      args: { FILE: 'f.csv' },
      options: { bucket: 'b', count: 3, json: false },
    });
  });

  it('names every missing argument and required option in one line', async () => {
    await expect(parseCommandLine(declaration, [])).rejects.toThrow(
      /^missing FILE, --bucket\. Run `sagedrop try --help`\.$/,
    );
  });

  it('rejects unknown options, missing values and extra arguments as usage errors', async () => {
    const problems = await Promise.all(
      [
        ['f', '--bucket', 'b', '--nope'],
        ['f', '--bucket'],
        ['f', 'g', '--bucket', 'b'],
        ['f', '--bucket', 'b', '--json=1'],
      ].map((argv) =>
        parseCommandLine(declaration, argv).then(
          () => 'parsed',
          (error: UsageError) => error.message,
        ),
      ),
    );
    expect(problems).toEqual([
      'unknown option --nope. Run `sagedrop try --help`.',
      '--bucket needs a value. Run `sagedrop try --help`.',
      'unexpected argument "g". Run `sagedrop try --help`.',
      '--json takes no value. Run `sagedrop try --help`.',
    ]);
  });

  it('makes a command whose usage is the rendered declaration', () => {
    expect(defineCommand(declaration).usage).toBe(renderUsage(declaration));
  });
});

describe('the sagedrop commands', () => {
  it.each(commands.map((c) => [c.name, c] as const))(
    '%s accepts exactly the options its --help lists',
    async (_name, command) => {
      const flags = flagsInHelp(command.usage).filter((flag) => flag !== 'help');
      expect(flags.length).toBeGreaterThan(0);
      for (const flag of flags) {
        // A listed option never comes back as unknown: the parser stops at the undeclared one after it.
        const problem = await parseProblem([`--${flag}`, 'value', '--zz-undeclared'], command);
        expect(problem, flag).toMatch(
          /unknown option --zz-undeclared|needs a value|takes no value|unexpected argument/,
        );
        expect(problem, flag).not.toContain(`unknown option --${flag}`);
      }
      expect(await parseProblem(['--zz-undeclared'], command)).toMatch(/^unknown option --zz-undeclared\./);
    },
  );

  it('every option in a usage line is explained under options', () => {
    for (const command of commands) {
      const synopsis = command.usage.split('\n')[0] ?? '';
      const inSynopsis = [...synopsis.matchAll(/--([a-z-]+)/g)].map((m) => m[1]);
      expect([...inSynopsis, 'help'].sort(), command.name).toEqual(flagsInHelp(command.usage).sort());
    }
  });
});

describe('the dataset name check', () => {
  it('accepts exactly the names whose raw files the pipeline reads as that dataset', () => {
    const names = fc.string({
      unit: fc.constantFrom('a', '/', '_', '.', ' ', '\\', '\u0000', 'é', '字', 'default'),
      maxLength: 8,
    });
    fc.assert(
      fc.property(names, (name) => {
        const accepted = (() => {
          try {
            return datasetName(name, '--dataset') === name;
          } catch (error) {
            expect(error).toBeInstanceOf(UsageError);
            return false;
          }
        })();
        const read = parseRawKey(keys.raw(name, 'x'));
        const readAsGiven = read !== undefined && read.problem === undefined && read.dataset === name;
        expect(accepted, JSON.stringify(name)).toBe(readAsGiven);
      }),
      { numRuns: 2000 },
    );
  });

  it('says why a name is refused, quoting it', () => {
    expect(() => datasetName('a/b', '--dataset')).toThrow(
      '--dataset "a/b": a dataset is one folder directly under raw/, so its name cannot contain "/"',
    );
    expect(() => datasetName('_inputs', '--dataset')).toThrow(/"_inputs": .*reserved/);
  });
});
