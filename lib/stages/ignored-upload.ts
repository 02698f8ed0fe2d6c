import { createHash } from 'node:crypto';
import {
  DEFAULT_DATASET,
  datasetNameProblem,
  PREFIX,
  parseRawKey,
  RAW_FILE_NAMES,
  SETTINGS_FILE,
} from '../layout';
import { type IgnoredDetail, SCHEMA_VERSION } from '../notifications/events';
import { notifyOnce } from '../notifications/notify-once';
import type { Notifier, ObjectStore } from '../ports';
import { INVALID_FOLDER_DATASET } from './merge-rejection';

/** Why an upload under `raw/` is never read, and what to do: the parts of an "Upload Ignored" notification. */
export interface IgnoredUpload {
  dataset: string;
  reason: string;
  hint: string;
}

const NAMES = RAW_FILE_NAMES.map((name) => `"${name}"`).join(', ');

/** The name the user most likely meant (`X.CSV` → `x.csv`, `y.tsv` → `y.csv`), or `undefined`. */
function meantName(name: string): string | undefined {
  const lower = name.toLowerCase();
  const exact = RAW_FILE_NAMES.find((expected) => expected === lower);
  if (exact) return exact;
  const stem = lower.split('.')[0];
  if (stem === 'x' || stem === 'y') return lower.endsWith('.gz') ? `${stem}.csv.gz` : `${stem}.csv`;
  if (stem === SETTINGS_FILE.split('.')[0]) return SETTINGS_FILE;
  return undefined;
}

function advice(name: string, folder: string, meant: string | undefined): string {
  if (meant === undefined) {
    return `Upload the features as ${folder}x.csv and the labels as ${folder}y.csv (or x.csv.gz and y.csv.gz, gzip-compressed), and settings as ${folder}${SETTINGS_FILE}.`;
  }
  const lower = name.toLowerCase();
  if (/\.(xlsx?|ods|numbers)$/.test(lower)) {
    return `Save the sheet as "CSV UTF-8 (comma delimited)" and upload it as ${folder}${meant}.`;
  }
  if (/\.(zip|bz2|xz|7z|zst)$/.test(lower)) {
    return `Unpack it and upload the CSV as ${folder}${meant}, or compress it with gzip as ${folder}${meant.replace(/\.gz$/, '')}.gz.`;
  }
  if (meant === SETTINGS_FILE) return `Upload the settings as JSON in ${folder}${SETTINGS_FILE}.`;
  return `Upload it again as ${folder}${meant} (comma-, semicolon- and tab-separated files are all read as .csv).`;
}

/**
 * Why the pipeline never reads the upload at `key` (under `raw/`, not one of
 * the dataset files), or `undefined` for a dataset file (`parseRawKey`), a key
 * outside raw/ and what needs no word: a folder marker (a key ending in "/",
 * as the S3 console's "Create folder" makes).
 */
export function describeIgnoredUpload(key: string): IgnoredUpload | undefined {
  if (!key.startsWith(PREFIX.raw) || key.endsWith('/') || parseRawKey(key)) return undefined;
  const parts = key.slice(PREFIX.raw.length).split('/');
  const name = parts.at(-1) ?? '';
  const folder = parts.length === 1 ? undefined : (parts[0] ?? '');
  const dataset =
    folder === undefined
      ? DEFAULT_DATASET
      : folder !== DEFAULT_DATASET && datasetNameProblem(folder) === undefined
        ? folder
        : INVALID_FOLDER_DATASET;
  const folderKey = folder === undefined ? PREFIX.raw : `${PREFIX.raw}${folder}/`;
  const meant = meantName(name);
  if (parts.length > 2) {
    const reason = `it is ${parts.length - 1} folders deep under raw/; the pipeline reads only raw/<dataset>/<file> and raw/<file>`;
    const hint =
      meant === undefined
        ? advice(name, folderKey, meant)
        : `Upload it as ${folderKey}${meant} (dataset "${folder === undefined ? DEFAULT_DATASET : folder}"): a dataset is one folder directly under raw/.`;
    return { dataset, reason, hint };
  }
  const reason =
    meant !== undefined && meant === name.toLowerCase()
      ? `"${name}" is not "${meant}": file names are case-sensitive; the pipeline reads ${NAMES}`
      : `"${name}" is not a file the pipeline reads; it reads ${NAMES}`;
  return { dataset, reason, hint: advice(name, folderKey, meant) };
}

/**
 * Tells the owner, once per uploaded object version, that the upload at
 * `upload.key` will never be used, and why. Duplicate deliveries and retries
 * of the same version send nothing more; a new upload of the same name sends again.
 */
export async function notifyIgnoredUpload(
  deps: { store: ObjectStore; notifier: Notifier },
  upload: { key: string; etag?: string; versionId?: string },
  ignored: IgnoredUpload,
  owner: string,
  now: () => Date,
): Promise<boolean> {
  const version = upload.versionId ?? upload.etag ?? '';
  const id = `ignored-${createHash('sha256').update(`${upload.key}\n${version}`).digest('hex').slice(0, 24)}`;
  const detail: IgnoredDetail = {
    schemaVersion: SCHEMA_VERSION,
    dataset: ignored.dataset,
    file: upload.key,
    reason: ignored.reason,
    expected: [...RAW_FILE_NAMES],
    hint: ignored.hint,
  };
  if (upload.versionId) detail.versionId = upload.versionId;
  return notifyOnce(deps.store, deps.notifier, { detailType: 'Upload Ignored', detail }, id, owner, now);
}
