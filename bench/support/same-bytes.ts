import { createReadStream, statSync } from 'node:fs';

const CHUNK = 1024 * 1024;

/** Byte-for-byte comparison of two files, streaming. */
export async function sameBytes(a: string, b: string): Promise<boolean> {
  if (statSync(a).size !== statSync(b).size) return false;
  const left = createReadStream(a, { highWaterMark: CHUNK })[Symbol.asyncIterator]();
  const right = createReadStream(b, { highWaterMark: CHUNK })[Symbol.asyncIterator]();
  let l: Buffer = Buffer.alloc(0);
  let r: Buffer = Buffer.alloc(0);
  for (;;) {
    if (l.length === 0) {
      const next = await left.next();
      l = next.done ? Buffer.alloc(0) : (next.value as Buffer);
    }
    if (r.length === 0) {
      const next = await right.next();
      r = next.done ? Buffer.alloc(0) : (next.value as Buffer);
    }
    if (l.length === 0 || r.length === 0) return l.length === r.length;
    const n = Math.min(l.length, r.length);
    if (!l.subarray(0, n).equals(r.subarray(0, n))) return false;
    l = l.subarray(n);
    r = r.subarray(n);
  }
}
