/**
 * A whole number with thousands separated by commas (`1,000,000`), as
 * `toLocaleString('en-US')` writes it, without loading ICU's locale data:
 * a first `toLocaleString` costs tens of milliseconds, more than merging a
 * small file.
 */
export function groupThousands(value: number): string {
  if (!Number.isSafeInteger(value)) return String(value);
  const digits = String(Math.abs(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return value < 0 ? `-${digits}` : digits;
}
