/** The validation loops of the fast path: independent table-lookup chains the CPU can overlap. */

/**
 * Validates the x bytes of a batch with the whole-row table, as eight
 * contiguous runs of rows scanned in one loop: eight independent chains of
 * table lookups, which the CPU overlaps (one chain is bound by load latency).
 */
export function validateRowRuns(
  src: Uint8Array,
  T: Int32Array,
  starts: Int32Array,
  rows: number,
  from: number,
  to: number,
): boolean {
  const eighth = rows >> 3;
  const a0 = from;
  const a1 = eighth > 0 ? (starts[eighth] as number) : from;
  const a2 = eighth > 0 ? (starts[2 * eighth] as number) : from;
  const a3 = eighth > 0 ? (starts[3 * eighth] as number) : from;
  const a4 = eighth > 0 ? (starts[4 * eighth] as number) : from;
  const a5 = eighth > 0 ? (starts[5 * eighth] as number) : from;
  const a6 = eighth > 0 ? (starts[6 * eighth] as number) : from;
  const a7 = eighth > 0 ? (starts[7 * eighth] as number) : from;
  const n = Math.min(a1 - a0, a2 - a1, a3 - a2, a4 - a3, a5 - a4, a6 - a5, a7 - a6, to - a7);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let s5 = 0;
  let s6 = 0;
  let s7 = 0;
  for (let k = 0; k < n; k += 1) {
    s0 = T[s0 | (src[a0 + k] as number)] as number;
    s1 = T[s1 | (src[a1 + k] as number)] as number;
    s2 = T[s2 | (src[a2 + k] as number)] as number;
    s3 = T[s3 | (src[a3 + k] as number)] as number;
    s4 = T[s4 | (src[a4 + k] as number)] as number;
    s5 = T[s5 | (src[a5 + k] as number)] as number;
    s6 = T[s6 | (src[a6 + k] as number)] as number;
    s7 = T[s7 | (src[a7 + k] as number)] as number;
  }
  for (let k = a0 + n; k < a1; k += 1) s0 = T[s0 | (src[k] as number)] as number;
  for (let k = a1 + n; k < a2; k += 1) s1 = T[s1 | (src[k] as number)] as number;
  for (let k = a2 + n; k < a3; k += 1) s2 = T[s2 | (src[k] as number)] as number;
  for (let k = a3 + n; k < a4; k += 1) s3 = T[s3 | (src[k] as number)] as number;
  for (let k = a4 + n; k < a5; k += 1) s4 = T[s4 | (src[k] as number)] as number;
  for (let k = a5 + n; k < a6; k += 1) s5 = T[s5 | (src[k] as number)] as number;
  for (let k = a6 + n; k < a7; k += 1) s6 = T[s6 | (src[k] as number)] as number;
  for (let k = a7 + n; k < to; k += 1) s7 = T[s7 | (src[k] as number)] as number;
  return (s0 | s1 | s2 | s3 | s4 | s5 | s6 | s7) === 0;
}

/**
 * Validates rows `[xStart[r], xEnd[r])` one by one with the per-field table
 * (files too wide for the row table), four rows per loop; each row must end in
 * an accepted state with `commas` commas.
 */
export function validateRowsByField(
  src: Uint8Array,
  T: Int32Array,
  accept: Uint8Array,
  commas: number,
  xStart: Int32Array,
  xEnd: Int32Array,
  rows: number,
): boolean {
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const a = xStart[r] as number;
    const b = xStart[r + 1] as number;
    const c = xStart[r + 2] as number;
    const d = xStart[r + 3] as number;
    const na = (xEnd[r] as number) - a;
    const nb = (xEnd[r + 1] as number) - b;
    const nc = (xEnd[r + 2] as number) - c;
    const nd = (xEnd[r + 3] as number) - d;
    const n = Math.min(na, nb, nc, nd);
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    let c3 = 0;
    for (let k = 0; k < n; k += 1) {
      s0 = T[s0 | (src[a + k] as number)] as number;
      s1 = T[s1 | (src[b + k] as number)] as number;
      s2 = T[s2 | (src[c + k] as number)] as number;
      s3 = T[s3 | (src[d + k] as number)] as number;
      c0 += s0 >>> 12;
      c1 += s1 >>> 12;
      c2 += s2 >>> 12;
      c3 += s3 >>> 12;
    }
    for (let k = n; k < na; k += 1) {
      s0 = T[s0 | (src[a + k] as number)] as number;
      c0 += s0 >>> 12;
    }
    for (let k = n; k < nb; k += 1) {
      s1 = T[s1 | (src[b + k] as number)] as number;
      c1 += s1 >>> 12;
    }
    for (let k = n; k < nc; k += 1) {
      s2 = T[s2 | (src[c + k] as number)] as number;
      c2 += s2 >>> 12;
    }
    for (let k = n; k < nd; k += 1) {
      s3 = T[s3 | (src[d + k] as number)] as number;
      c3 += s3 >>> 12;
    }
    if (c0 !== commas || c1 !== commas || c2 !== commas || c3 !== commas) return false;
    if (!(accept[s0 >>> 8] && accept[s1 >>> 8] && accept[s2 >>> 8] && accept[s3 >>> 8])) return false;
  }
  for (; r < rows; r += 1) {
    let s = 0;
    let count = 0;
    for (let k = xStart[r] as number; k < (xEnd[r] as number); k += 1) {
      s = T[s | (src[k] as number)] as number;
      count += s >>> 12;
    }
    if (count !== commas || !accept[s >>> 8]) return false;
  }
  return true;
}
