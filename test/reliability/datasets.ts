/** One upload of a pair (or of x alone) and the rows a correct merge must produce from it. */
export interface Round {
  x: string;
  /** Absent: only x.csv is uploaded again, and the pipeline must wait. */
  y?: string;
  /** Merged rows, label first (`y,x`), after header, BOM and CRLF are gone. */
  labelled: string[];
  /** The same rows without the label. */
  features: string[];
}

/** Datasets whose folder name is hostile but valid. */
export const HOSTILE_NAME_STYLES = [
  (i: number) => `ds-${i}`,
  (i: number) => `my data ${i}`,
  (i: number) => `données ${i}`,
  (i: number) => `データ${i}`,
  (i: number) => `a..b ${i}`,
  (i: number) => `..${i}`,
  (i: number) => `${i}..`,
  (i: number) => `rocket 🚀 ${i}`,
  (i: number) => `plus+sign=${i}&q`,
  (i: number) => `percent%20 ${i}`,
  (i: number) => `Case ${i}`,
  (i: number) => `case ${i}`,
  (i: number) => `ds_${i}`,
  (i: number) => `DS-${i}`,
  (i: number) => `${`long-${i}-`.padEnd(99, 'é')}é`,
  // The local S3 server keeps each key segment as a file name: at most 255 bytes (S3 itself allows more).
  (i: number) => `${`wide-${i}-`.padEnd(78, '字')}字`,
] as const;

/** Folders that cannot be datasets: every upload into one is rejected with a report. */
export const INVALID_FOLDERS = [
  (i: number) => `_reserved${i}`,
  (i: number) => `${`too-long-${i}-`.padEnd(101, 'x')}`,
  () => 'default',
] as const;

/**
 * A key at S3's 1024-byte limit, nested deeper than a dataset folder: not one
 * of sagedrop's files, so the pipeline must ignore it (each segment stays under
 * the 255 bytes a file name may have on the local server's disk).
 */
export function keyAtLimit(i: number, file: 'x.csv' | 'y.csv'): string {
  const head = `raw/deep-${i}/`;
  const segments: string[] = [];
  let length = Buffer.byteLength(head) + file.length;
  while (length < 1024) {
    const room = Math.min(200, 1024 - length - 1);
    if (room <= 0) break;
    const segment = 'k'.repeat(room);
    segments.push(segment);
    length += room + 1;
  }
  const key = `${head}${segments.join('/')}/${file}`;
  return key.length > 1024 ? key.slice(key.length - 1024) : key;
}

/** Rows of features and binary labels, formatted with the quirks users' files have. */
export function makeRound(random: () => number, rows: number, features: number): Round & { y: string } {
  const header = random() < 0.3;
  const crlf = random() < 0.3;
  const bom = random() < 0.2;
  const trailingNewline = random() >= 0.2;
  const xRows: string[] = [];
  const yRows: string[] = [];
  for (let r = 0; r < rows; r += 1) {
    const label = r % 2 === 0 ? 1 : 0;
    const values = Array.from({ length: features }, () => (random() * 10 - 5 + label * 3).toFixed(4));
    xRows.push(values.join(','));
    yRows.push(String(label));
  }
  const eol = crlf ? '\r\n' : '\n';
  const file = (lines: string[], headerLine: string) => {
    const all = header ? [headerLine, ...lines] : lines;
    return `${bom ? '\uFEFF' : ''}${all.join(eol)}${trailingNewline ? eol : ''}`;
  };
  const xHeader = Array.from({ length: features }, (_, f) => `feature_${f + 1}`).join(',');
  return {
    x: file(xRows, xHeader),
    y: file(yRows, 'label'),
    labelled: xRows.map((x, r) => `${yRows[r]},${x}`),
    features: xRows,
  };
}

/** Rounds that cannot be merged: the report must name the problem and nothing may train. */
export function makeBadRound(random: () => number, i: number): { x: string; y: string } {
  const good = makeRound(random, 12, 3);
  switch (i % 3) {
    case 0: // y is one row short
      return { x: good.x, y: good.y.trimEnd().split(/\r?\n/).slice(0, -1).join('\n') };
    case 1: // a ragged row in x
      return { x: `${good.x.trimEnd()}\n1,2\n`, y: `${good.y.trimEnd()}\n1\n` };
    default: // a value that is not a number
      return { x: good.x.replace(/\d\.\d{4}/, 'n/a'), y: good.y };
  }
}

/** Settings files that try to reach what a dataset may not change. */
export const HOSTILE_SETTINGS = [
  '{"role": "arn:aws:iam::999999999999:role/attacker"}',
  '{"roleArn": "arn:aws:iam::999999999999:role/attacker"}',
  '{"bucket": "someone-elses-bucket"}',
  '{"outputPath": "s3://someone-elses-bucket/models/"}',
  '{"trainingImage": "999999999999.dkr.ecr.us-east-1.amazonaws.com/miner:latest"}',
  '{"algorithm": "kmeans", "hyperparameters": {"k": 2}, "__proto__": {"role": "x"}}',
  '{"hyperparameters": {"feature_dim": 3}, "OutputDataConfig": {"S3OutputPath": "s3://evil/"}}',
] as const;

/** Valid settings whose values look dangerous but may only affect training. */
export const HARMLESS_SETTINGS = [
  '{"algorithm": "kmeans", "hyperparameters": {"k": 2}}',
  '{"hyperparameters": {"role": "arn:aws:iam::999999999999:role/attacker", "bucket": "evil"}}',
  '\uFEFF{"validationFraction": 0.3, "testFraction": 0, "splitSeed": "../../etc/passwd"}',
] as const;
