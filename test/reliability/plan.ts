import {
  HARMLESS_SETTINGS,
  HOSTILE_NAME_STYLES,
  HOSTILE_SETTINGS,
  INVALID_FOLDERS,
  makeBadRound,
  makeRound,
  type Round,
} from './datasets';

/** What the harness does to one dataset, and what the bucket must hold afterwards. */
export interface DatasetPlan {
  name: string;
  kind: 'pair' | 'bad-data' | 'bad-settings' | 'invalid-folder';
  settings?: string;
  /** Uploads in order: the first round concurrently (x and y at once), the second after the first settled. */
  rounds: Round[];
  /** Only x.csv is uploaded again after the first round: no new run may start. */
  reuploadXOnly?: boolean;
  /**
   * Every later round holds the first round's bytes again (`x` alone, `x` then
   * `y`, or both at once): each upload of both must start one new run.
   */
  identical?: IdenticalKind;
  /** Later rounds upload x, then y once x is stored (otherwise both at once). */
  sequential?: boolean;
  /** The first run's terminal event is held back and delivered after the second run's. */
  outOfOrder?: boolean;
  /** Big enough for the merge to write channels through multipart UploadPart. */
  big?: boolean;
  /** A fault that outlasts Lambda's retries: the event must land in the on-failure queue. */
  persistent?: 'merge' | 'train' | 'complete';
  /** Fault doses (indexes into the harness's menu) aimed at this dataset. */
  doses: number[];
  expect: { runs: number; rejections: number };
}

export type IdenticalKind = 'x-again' | 'pair-again' | 'pair-again-at-once';

/** How many times each identical-upload dataset gets its files again. */
export const IDENTICAL_REPEATS = 3;

export interface PlanSize {
  datasets: number;
  /** Datasets whose channels exceed 5 MiB (multipart). */
  big: number;
  persistent: number;
  /** Datasets of each kind of identical re-upload. */
  identical: number;
  /** Doses per ordinary dataset. */
  dosesPerDataset: number;
  bigRows: number;
}

/**
 * The doses of the i-th dataset: the first walks through every kind in turn
 * (so any run of at least `kinds` datasets injects every kind), the others
 * pair it with varying partners.
 */
function dosesFor(i: number, count: number, kinds: number): number[] {
  const doses = new Set<number>();
  for (let k = 0; k < count; k += 1) doses.add((i + k * (3 + (i % 5))) % kinds);
  return [...doses];
}

/**
 * The datasets of one run: mostly valid pairs under hostile folder names, each
 * with a few fault doses, some re-uploaded (both files, or x alone), some given
 * identical bytes again several times, some with settings (harmless or
 * hostile), some with bad data, uploads into folders that cannot be datasets,
 * a few big ones and a few persistent faults.
 */
export function planDatasets(random: () => number, size: PlanSize, doseKinds: number): DatasetPlan[] {
  const plans: DatasetPlan[] = [];
  const rows = () => 20 + Math.floor(random() * 40);
  const features = () => 2 + Math.floor(random() * 4);
  for (let i = 0; i < size.datasets; i += 1) {
    const style = HOSTILE_NAME_STYLES[i % HOSTILE_NAME_STYLES.length] ?? HOSTILE_NAME_STYLES[0];
    const name = style(i);
    const roll = random();
    const plan: DatasetPlan = {
      name,
      kind: 'pair',
      rounds: [makeRound(random, rows(), features())],
      doses: dosesFor(i, size.dosesPerDataset, doseKinds),
      expect: { runs: 1, rejections: 0 },
    };
    if (roll < 0.15) {
      plan.rounds.push(makeRound(random, rows(), features()));
      plan.outOfOrder = true;
      plan.expect.runs = 2;
    } else if (roll < 0.22) {
      plan.rounds.push({ ...makeRound(random, rows(), features()), y: undefined });
      plan.reuploadXOnly = true;
    } else if (roll < 0.27) {
      plan.settings = HARMLESS_SETTINGS[i % HARMLESS_SETTINGS.length];
    }
    plans.push(plan);
  }
  for (let i = 0; i < size.big; i += 1) {
    plans.push({
      name: `big ${i}`,
      kind: 'pair',
      settings: '{"validationFraction": 0, "testFraction": 0}',
      rounds: [makeRound(random, size.bigRows, 8)],
      big: true,
      doses: [],
      expect: { runs: 1, rejections: 0 },
    });
  }
  const persistentStages = ['merge', 'train', 'complete'] as const;
  for (let i = 0; i < size.persistent; i += 1) {
    plans.push({
      name: `persistent ${i}`,
      kind: 'pair',
      rounds: [makeRound(random, rows(), features())],
      persistent: persistentStages[i % persistentStages.length],
      doses: [],
      expect: { runs: 1, rejections: 0 },
    });
  }
  for (let i = 0; i < size.identical; i += 1) {
    for (const kind of ['x-again', 'pair-again', 'pair-again-at-once'] as const) {
      const first = makeRound(random, rows(), features());
      const again = kind === 'x-again' ? { ...first, y: undefined } : first;
      plans.push({
        name: `${kind} ${i}`,
        kind: 'pair',
        rounds: [first, ...Array.from({ length: IDENTICAL_REPEATS }, () => again)],
        identical: kind,
        sequential: kind !== 'pair-again-at-once',
        doses: dosesFor(i, size.dosesPerDataset, doseKinds),
        // x alone again never pairs with the used y; both again start one new run each time.
        expect: { runs: kind === 'x-again' ? 1 : 1 + IDENTICAL_REPEATS, rejections: 0 },
      });
    }
  }
  const extras = Math.max(3, Math.round(size.datasets / 20));
  for (let i = 0; i < extras; i += 1) {
    const bad = makeBadRound(random, i);
    plans.push({
      name: `bad data ${i}`,
      kind: 'bad-data',
      rounds: [{ ...bad, labelled: [], features: [] }],
      doses: [],
      expect: { runs: 0, rejections: 1 },
    });
    plans.push({
      name: `bad settings ${i}`,
      kind: 'bad-settings',
      settings: HOSTILE_SETTINGS[i % HOSTILE_SETTINGS.length],
      rounds: [makeRound(random, rows(), features())],
      doses: [],
      expect: { runs: 0, rejections: 1 },
    });
    const folder = INVALID_FOLDERS[i % INVALID_FOLDERS.length] ?? INVALID_FOLDERS[0];
    // "default" is one folder: used once, so no two plans share keys.
    const name = folder(i) === 'default' && i !== 2 ? `_again${i}` : folder(i);
    plans.push({
      name,
      kind: 'invalid-folder',
      rounds: [makeRound(random, rows(), features())],
      doses: [],
      // One report per upload (x and y), under errors/_invalid/.
      expect: { runs: 0, rejections: 2 },
    });
  }
  return plans;
}
