import { resolveSettings, type Settings, type SettingsDefaults } from '../../lib/settings/dataset';
import { SettingsError } from '../../lib/settings/errors';
import { emptyCounts, type FuzzCounts, noteUnexpected, pick, seededRandom } from './random';

const DEFAULTS: SettingsDefaults = {
  algorithm: 'xgboost',
  instanceType: 'ml.m5.large',
  instanceCount: 1,
  volumeSizeGb: 30,
  maxRuntimeSeconds: 3600,
  spot: false,
  validationFraction: 0.1,
  testFraction: 0.1,
  allowCustomImages: false,
};

const KEYS = [
  'algorithm',
  'hyperparameters',
  'instanceType',
  'instanceCount',
  'volumeSizeGb',
  'maxRuntimeSeconds',
  'spot',
  'maxWaitSeconds',
  'validationFraction',
  'testFraction',
  'splitSeed',
  'trainingImage',
  'role',
  'roleArn',
  'bucket',
  'outputPath',
  'output',
  'outputLocation',
  'unknownKey',
  '__proto__',
  'constructor',
];

function randomValue(random: () => number, depth = 0): unknown {
  const choices: (() => unknown)[] = [
    () =>
      pick(random, [
        'kmeans',
        'linear-learner',
        'xgboost',
        'custom',
        'ml.m5.large',
        'ml.bad',
        '',
        'é',
        'x'.repeat(300),
      ]),
    () => Math.floor(random() * 200) - 50,
    () => random(),
    () => pick(random, [0, 1, 0.5, 0.95, 60, 3600, 28 * 24 * 3600, 1e308, -0, 16384, 16385]),
    () => random() < 0.5,
    () => null,
    () => '123456789012.dkr.ecr.us-east-1.amazonaws.com/own:latest',
    () => (depth < 2 ? [randomValue(random, depth + 1)] : []),
    () =>
      depth < 2
        ? Object.fromEntries(
            Array.from({ length: Math.floor(random() * 3) }, () => [
              pick(random, ['k', 'num_round', 'eta', '', 'x'.repeat(300)]),
              randomValue(random, depth + 1),
            ]),
          )
        : {},
  ];
  return pick(random, choices)();
}

function randomSettingsText(random: () => number): string {
  const object: Record<string, unknown> = {};
  const keys = Math.floor(random() * 5);
  for (let k = 0; k < keys; k += 1) object[pick(random, KEYS)] = randomValue(random);
  let text = JSON.stringify(object);
  const mutation = random();
  if (mutation < 0.1) text = text.slice(0, Math.floor(random() * text.length));
  else if (mutation < 0.15) text = `\ufeff${text}`;
  else if (mutation < 0.2) text = pick(random, ['', 'null', '[]', '"x"', '42', '{', '{"a":}', 'true']);
  else if (mutation < 0.25) {
    const at = Math.floor(random() * (text.length + 1));
    text = text.slice(0, at) + String.fromCharCode(Math.floor(random() * 128)) + text.slice(at);
  }
  return text;
}

/** What an accepted settings file must satisfy whatever it contained. */
function settingsProblem(settings: Settings): string | undefined {
  if (settings.validationFraction + settings.testFraction >= 0.95)
    return 'fractions leave under 5% for training';
  if (settings.validationFraction < 0 || settings.testFraction < 0) return 'negative fraction';
  if (!Number.isInteger(settings.instanceCount) || settings.instanceCount < 1) return 'bad instance count';
  if (settings.spot !== (settings.maxWaitSeconds !== undefined)) return 'maxWaitSeconds without spot';
  if (settings.trainingImage !== undefined) return 'custom image on a stack that does not allow them';
  if (Object.values(settings.hyperparameters).some((v) => typeof v !== 'string'))
    return 'non-string hyperparameter';
  return undefined;
}

/**
 * Feeds `resolveSettings` `count` random settings files (valid JSON with
 * wrong types, forbidden and unknown keys, out-of-range numbers; broken
 * JSON; a BOM): each must either give settings that respect the stack's
 * rules or throw `SettingsError`; anything else counts as unexpected.
 */
export async function fuzz(count: number, seed: number): Promise<FuzzCounts> {
  const random = seededRandom(seed);
  const counts = emptyCounts();
  for (let k = 0; k < count; k += 1) {
    const text = randomSettingsText(random);
    counts.inputs += 1;
    try {
      const settings = resolveSettings(DEFAULTS, text, 'raw/fuzz/sagedrop.json');
      const problem = settingsProblem(settings);
      if (problem === undefined) counts.matched += 1;
      else noteUnexpected(counts, `${problem}: ${text}`);
    } catch (error) {
      if (error instanceof SettingsError && error.message.includes('raw/fuzz/sagedrop.json'))
        counts.rejectedCleanly += 1;
      else noteUnexpected(counts, `${String(error)}: ${text}`);
    }
  }
  return counts;
}
