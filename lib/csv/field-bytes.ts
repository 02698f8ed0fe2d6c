const COMMA = 0x2c;

/** A growable byte buffer. */
export class Bytes {
  bytes = new Uint8Array(256);
  length = 0;

  reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  push(byte: number): void {
    if (this.length === this.bytes.length) this.reserve(1);
    this.bytes[this.length++] = byte;
  }

  append(data: Uint8Array): void {
    this.reserve(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }
}

/** `[+-]?digits,digits([eE][+-]?digits)?`: a number written with a decimal comma. */
export function isDecimalComma(field: Uint8Array, length: number): boolean {
  let p = 0;
  if (field[p] === 0x2b || field[p] === 0x2d) p += 1;
  let before = 0;
  while (p < length && isDigit(field[p])) {
    p += 1;
    before += 1;
  }
  if (field[p] !== COMMA) return false;
  p += 1;
  let after = 0;
  while (p < length && isDigit(field[p])) {
    p += 1;
    after += 1;
  }
  if (after === 0 && before === 0) return false;
  if (p < length && (field[p] === 0x65 || field[p] === 0x45)) {
    p += 1;
    if (field[p] === 0x2b || field[p] === 0x2d) p += 1;
    let exponent = 0;
    while (p < length && isDigit(field[p])) {
      p += 1;
      exponent += 1;
    }
    if (exponent === 0) return false;
  }
  return p === length && after > 0;
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}
