/** `rows` lines of `features` numeric columns, and their labels (0/1), without headers. */
export function numericDataset(rows: number, features: number): { x: string; y: string } {
  const x: string[] = [];
  const y: string[] = [];
  for (let i = 0; i < rows; i++) {
    x.push(Array.from({ length: features }, (_, j) => ((i * 31 + j * 7) % 97) / 10).join(','));
    y.push(String(i % 2));
  }
  return { x: `${x.join('\n')}\n`, y: `${y.join('\n')}\n` };
}
