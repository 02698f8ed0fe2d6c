import { decodeS3Key } from '../../lib/events/s3';
import { parseRawKey } from '../../lib/layout';

interface Active {
  file: string;
}

/**
 * Counts merge invocations of one dataset that really ran at the same time:
 * an x.csv event and a y.csv event (the race the pairing must win exactly
 * once), or two deliveries of the same upload.
 */
export class RaceMeter {
  /** Merge invocations that started while one for the partner file of the same dataset was running. */
  xyRaces = 0;
  /** Merge invocations that started while one for the same upload was running. */
  duplicateRaces = 0;
  /** Datasets that saw at least one x/y race. */
  readonly racedDatasets = new Set<string>();
  private readonly active = new Map<string, Active[]>();

  /** Records an invocation's start; the returned function records its end. */
  enter(event: unknown): () => void {
    const key = (event as { Records?: { s3?: { object?: { key?: string } } }[] })?.Records?.[0]?.s3?.object
      ?.key;
    const raw = key === undefined ? undefined : parseRawKey(decodeS3Key(key));
    if (!raw || raw.problem) return () => {};
    const running = this.active.get(raw.dataset) ?? [];
    if (
      running.some((other) => other.file !== raw.file && other.file !== 'settings' && raw.file !== 'settings')
    ) {
      this.xyRaces += 1;
      this.racedDatasets.add(raw.dataset);
    }
    if (running.some((other) => other.file === raw.file)) this.duplicateRaces += 1;
    const me: Active = { file: raw.file };
    running.push(me);
    this.active.set(raw.dataset, running);
    return () => {
      const list = this.active.get(raw.dataset) ?? [];
      list.splice(list.indexOf(me), 1);
      if (list.length === 0) this.active.delete(raw.dataset);
    };
  }
}
