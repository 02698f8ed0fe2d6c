/**
 * Every S3 key sagedrop reads or writes, in one place.
 *
 * raw/<dataset>/{x.csv,y.csv,sagedrop.json}   user uploads (raw/x.csv: dataset "default"; x.csv.gz, y.csv.gz too)
 * train/<dataset>/<run>/<channel>/<file>.csv   merged channels
 * train/<dataset>/<run>/manifest.json          written last; the only trigger for training
 * train/<dataset>/_inputs/<x|y>/<token>.json   which run consumed an uploaded version
 * models/<dataset>/<job>/output/model.tar.gz   SageMaker's output
 * catalog/<dataset>/<job>.json, latest.json    one entry per finished job
 * catalog/_endpoints/<endpoint>.json           what a dataset endpoint serves ("_" is no dataset's name)
 * catalog/<dataset>/champion.json              the promoted model
 * evaluation/<dataset>/<job>/…                 scoring plan, transform outputs, evaluation.json
 * errors/<dataset>/<run>.json                  rejection reports
 * notifications/<dataset>/<id>.json            one record per notification sent
 * score/<dataset>/<name>.csv[.gz]              rows to predict, dropped by the user (score/<name>.csv: "default")
 * transforms/<dataset>/<id>/…                  a scoring upload's plan, normalised rows and transform output
 * predictions/<dataset>/<name>.csv, .json      the rows with their predictions, and which model made them
 */

export const PREFIX = {
  raw: 'raw/',
  train: 'train/',
  models: 'models/',
  catalog: 'catalog/',
  evaluation: 'evaluation/',
  errors: 'errors/',
  notifications: 'notifications/',
  score: 'score/',
  transforms: 'transforms/',
  predictions: 'predictions/',
} as const;

export const DEFAULT_DATASET = 'default';
/** Where reports about events that name no dataset go (`_` folders are never datasets). */
export const UNKNOWN_DATASET = '_unknown';
export const MANIFEST_FILE = 'manifest.json';
export const SETTINGS_FILE = 'sagedrop.json';
export const MAX_DATASET_LENGTH = 100;
export const MAX_DATASET_BYTES = 255;

export type RawFile = 'x' | 'y' | 'settings';
export type Channel = 'train' | 'validation' | 'test';
export const CHANNELS: readonly Channel[] = ['train', 'validation', 'test'];

export interface RawKey {
  dataset: string;
  file: RawFile;
  /** Set when the folder cannot be a dataset (see `datasetNameProblem`). */
  problem?: string;
}

const RAW_FILES: Record<string, RawFile> = {
  'x.csv': 'x',
  'y.csv': 'y',
  'x.csv.gz': 'x',
  'y.csv.gz': 'y',
  [SETTINGS_FILE]: 'settings',
};

/** Every file name the pipeline reads in a dataset folder, for messages about what it expects. */
export const RAW_FILE_NAMES: readonly string[] = Object.keys(RAW_FILES);

/**
 * The keys an input may be uploaded as: `x.csv` or its gzip form `x.csv.gz`
 * (the same for y); the settings file has one name. When both forms of an
 * input are there, the pairing takes the newer upload.
 */
export function rawKeys(dataset: string, file: RawFile): string[] {
  const plain = keys.raw(dataset, file);
  return file === 'settings' ? [plain] : [plain, `${plain}.gz`];
}

/**
 * Where a user's file goes: `raw/<dataset>/x.csv`, or `x.csv.gz` for a file
 * whose name ends in `.gz`, so the bucket says what its bytes are.
 */
export function rawKeyFor(dataset: string, file: RawFile, localName: string): string {
  const plain = keys.raw(dataset, file);
  return file !== 'settings' && localName.toLowerCase().endsWith('.gz') ? `${plain}.gz` : plain;
}

/** The file name of a raw key (`x.csv.gz`), for messages. */
export function rawFileName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/**
 * Why `name` cannot be a dataset folder, or `undefined` when it can. Spaces and
 * any Unicode letters are fine; what would escape the layout or collide is not.
 */
export function datasetNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the folder name is empty';
  if (name === '.' || name === '..') return `"${name}" is not a folder name`;
  if (name.startsWith('_')) return 'folder names starting with "_" are reserved';
  // raw/a/b/x.csv is not a dataset's file: the pipeline reads one folder level under raw/.
  if (name.includes('/'))
    return 'a dataset is one folder directly under raw/, so its name cannot contain "/"';
  if ([...name].length > MAX_DATASET_LENGTH) {
    return `the folder name is longer than ${MAX_DATASET_LENGTH} characters`;
  }
  // File systems (the local server's among them) cap a path segment at 255 bytes.
  if (new TextEncoder().encode(name).length > MAX_DATASET_BYTES) {
    return `the folder name is longer than ${MAX_DATASET_BYTES} bytes in UTF-8`;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is rejected
  if (/[\u0000-\u001f\u007f\\]/.test(name)) return 'the folder name contains control characters or "\\"';
  return undefined;
}

/**
 * Classifies an uploaded key. `undefined` for anything that is not one of
 * sagedrop's raw files (other names, deeper folders). A folder that cannot be a
 * dataset comes back with `problem` set, so the caller can tell the user.
 */
export function parseRawKey(key: string): RawKey | undefined {
  if (!key.startsWith(PREFIX.raw)) return undefined;
  const parts = key.slice(PREFIX.raw.length).split('/');
  if (parts.length === 1) {
    const file = RAW_FILES[parts[0] ?? ''];
    return file ? { dataset: DEFAULT_DATASET, file } : undefined;
  }
  if (parts.length === 2) {
    const [dataset = '', name = ''] = parts;
    const file = RAW_FILES[name];
    if (!file) return undefined;
    const problem =
      dataset === DEFAULT_DATASET
        ? `the folder "${DEFAULT_DATASET}" is reserved: put the default dataset's files directly under raw/`
        : datasetNameProblem(dataset);
    return problem ? { dataset, file, problem } : { dataset, file };
  }
  return undefined;
}

function datasetFolder(dataset: string): string {
  return dataset === DEFAULT_DATASET ? '' : `${dataset}/`;
}

export const keys = {
  raw: (dataset: string, file: RawFile): string => {
    const name = file === 'settings' ? SETTINGS_FILE : `${file}.csv`;
    return `${PREFIX.raw}${datasetFolder(dataset)}${name}`;
  },
  runPrefix: (dataset: string, run: string) => `${PREFIX.train}${dataset}/${run}/`,
  channel: (dataset: string, run: string, channel: Channel, file = `${channel}.csv`) =>
    `${PREFIX.train}${dataset}/${run}/${channel}/${file}`,
  channelPrefix: (dataset: string, run: string, channel: Channel) =>
    `${PREFIX.train}${dataset}/${run}/${channel}/`,
  testLabels: (dataset: string, run: string) => `${PREFIX.train}${dataset}/${run}/test-labels/labels.csv`,
  manifest: (dataset: string, run: string) => `${PREFIX.train}${dataset}/${run}/${MANIFEST_FILE}`,
  inputClaim: (dataset: string, file: 'x' | 'y', token: string) =>
    `${PREFIX.train}${dataset}/_inputs/${file}/${token}.json`,
  modelsPrefix: (dataset: string) => `${PREFIX.models}${dataset}/`,
  checkpoints: (dataset: string, job: string) => `${PREFIX.models}${dataset}/${job}/checkpoints/`,
  modelArtifact: (dataset: string, job: string) => `${PREFIX.models}${dataset}/${job}/output/model.tar.gz`,
  catalogEntry: (dataset: string, job: string) => `${PREFIX.catalog}${dataset}/${job}.json`,
  catalogLatest: (dataset: string) => `${PREFIX.catalog}${dataset}/latest.json`,
  endpointRecord: (endpoint: string) => `${PREFIX.catalog}_endpoints/${endpoint}.json`,
  catalogChampion: (dataset: string) => `${PREFIX.catalog}${dataset}/champion.json`,
  evaluationPrefix: (dataset: string, job: string) => `${PREFIX.evaluation}${dataset}/${job}/`,
  evaluationPlan: (dataset: string, job: string) => `${PREFIX.evaluation}${dataset}/${job}/plan.json`,
  evaluationReport: (dataset: string, job: string) => `${PREFIX.evaluation}${dataset}/${job}/evaluation.json`,
  /** Where the transform of `role` writes `<input file>.out`. */
  evaluationOutput: (dataset: string, job: string, role: 'challenger' | 'champion') =>
    `${PREFIX.evaluation}${dataset}/${job}/${role}/`,
  errorReport: (dataset: string, id: string) => `${PREFIX.errors}${dataset}/${id}.json`,
  /** Where a file `<name>.csv` (or `.csv.gz`) to score for `dataset` is uploaded. */
  scoreUpload: (dataset: string, file: string) => `${PREFIX.score}${datasetFolder(dataset)}${file}`,
  /** What a scoring upload of `dataset` is answered with: `predictions/<dataset>/<name>.csv`, as under score/. */
  predictions: (dataset: string, name: string) => `${PREFIX.predictions}${datasetFolder(dataset)}${name}.csv`,
  predictionsRecord: (dataset: string, name: string) =>
    `${PREFIX.predictions}${datasetFolder(dataset)}${name}.json`,
  predictionPlan: (dataset: string, id: string) => `${PREFIX.transforms}${dataset}/${id}/plan.json`,
  /** The normalised rows the batch transform reads (its S3Prefix input is the folder). */
  predictionInputPrefix: (dataset: string, id: string) => `${PREFIX.transforms}${dataset}/${id}/input/`,
  predictionInput: (dataset: string, id: string) => `${PREFIX.transforms}${dataset}/${id}/input/rows.csv`,
  predictionOutputPrefix: (dataset: string, id: string) => `${PREFIX.transforms}${dataset}/${id}/output/`,
  predictionOutput: (dataset: string, id: string) =>
    `${PREFIX.transforms}${dataset}/${id}/output/rows.csv.out`,
  notification: (dataset: string, id: string) => `${PREFIX.notifications}${dataset}/${id}.json`,
};

/**
 * `{ dataset, job, role }` of a transform output path
 * (`s3://bucket/evaluation/<dataset>/<job>/<role>/`), or `undefined` for any other URI.
 */
export function parseEvaluationOutputUri(
  uri: string,
): { bucket: string; dataset: string; job: string; role: 'challenger' | 'champion' } | undefined {
  const parsed = parseS3Uri(uri);
  if (!parsed?.key.startsWith(PREFIX.evaluation)) return undefined;
  const parts = parsed.key.slice(PREFIX.evaluation.length).split('/');
  if (parts.at(-1) === '') parts.pop();
  if (parts.length !== 3) return undefined;
  const [dataset = '', job = '', role = ''] = parts;
  if (!dataset || !job || (role !== 'challenger' && role !== 'champion')) return undefined;
  return { bucket: parsed.bucket, dataset, job, role };
}

/** A scoring upload's key: its dataset and name (`score/iris/new.csv.gz`: `iris`, `new`). */
export interface ScoreKey {
  dataset: string;
  name: string;
  /** Set when the upload cannot be scored (see `datasetNameProblem`). */
  problem?: string;
}

const SCORE_SUFFIX = /\.csv(\.gz)?$/;

/**
 * Classifies a key under `score/`: `score/<dataset>/<name>.csv` (or `.csv.gz`),
 * `score/<name>.csv` for the default dataset; `undefined` for other keys.
 * A folder that cannot be a dataset, or a deeper one, comes back with `problem`.
 */
export function parseScoreKey(key: string): ScoreKey | undefined {
  if (!key.startsWith(PREFIX.score) || !SCORE_SUFFIX.test(key)) return undefined;
  const parts = key.slice(PREFIX.score.length).split('/');
  const file = parts.at(-1) ?? '';
  const name = file.replace(SCORE_SUFFIX, '');
  const dataset = parts.length === 1 ? DEFAULT_DATASET : (parts[0] ?? '');
  if (name === '' || name.startsWith('.')) {
    return { dataset, name: name || file, problem: `"${file}" has no name before its extension` };
  }
  if (parts.length > 2) {
    return {
      dataset,
      name,
      problem: 'a dataset is one folder directly under score/: upload to score/<dataset>/<name>.csv',
    };
  }
  if (parts.length === 2) {
    const problem =
      dataset === DEFAULT_DATASET
        ? `the folder "${DEFAULT_DATASET}" is reserved: put the default dataset's files directly under score/`
        : datasetNameProblem(dataset);
    if (problem) return { dataset, name, problem };
  }
  return { dataset, name };
}

/**
 * `{ dataset, id }` of a prediction transform's output path
 * (`s3://bucket/transforms/<dataset>/<id>/output/`), or `undefined` for any other URI.
 */
export function parsePredictionOutputUri(
  uri: string,
): { bucket: string; dataset: string; id: string } | undefined {
  const parsed = parseS3Uri(uri);
  if (!parsed?.key.startsWith(PREFIX.transforms)) return undefined;
  const parts = parsed.key.slice(PREFIX.transforms.length).split('/');
  if (parts.at(-1) === '') parts.pop();
  if (parts.length !== 3 || parts[2] !== 'output') return undefined;
  const [dataset = '', id = ''] = parts;
  if (!dataset || !id) return undefined;
  return { bucket: parsed.bucket, dataset, id };
}

/** `{ dataset, run }` of a manifest key, or `undefined` for any other key. */
export function parseManifestKey(key: string): { dataset: string; run: string } | undefined {
  if (!key.startsWith(PREFIX.train)) return undefined;
  const parts = key.slice(PREFIX.train.length).split('/');
  if (parts.length !== 3 || parts[2] !== MANIFEST_FILE) return undefined;
  const [dataset = '', run = ''] = parts;
  if (!dataset || !run || run.startsWith('_')) return undefined;
  return { dataset, run };
}

export const s3Uri = (bucket: string, key: string) => `s3://${bucket}/${key}`;

/** `{ bucket, key }` of an `s3://bucket/key` URI, or `undefined` for anything else. */
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!match) return undefined;
  return { bucket: match[1] ?? '', key: match[2] ?? '' };
}

/**
 * `{ dataset, run, channel }` of a channel's S3 URI as the train stage passes it
 * to SageMaker (`s3://bucket/train/<dataset>/<run>/<channel>/`, with or without
 * the trailing slash or a file name), or `undefined` for any other URI.
 */
export function parseChannelUri(
  uri: string,
): { bucket: string; dataset: string; run: string; channel: Channel } | undefined {
  const parsed = parseS3Uri(uri);
  if (!parsed?.key.startsWith(PREFIX.train)) return undefined;
  const parts = parsed.key.slice(PREFIX.train.length).split('/');
  if (parts.at(-1) === '' || parts.at(-1)?.endsWith('.csv')) parts.pop();
  if (parts.length !== 3) return undefined;
  const [dataset = '', run = '', channel = ''] = parts;
  if (!dataset || !run || run.startsWith('_')) return undefined;
  if (!(CHANNELS as readonly string[]).includes(channel)) return undefined;
  return { bucket: parsed.bucket, dataset, run, channel: channel as Channel };
}
