/** Benchmark output: one line on stdout (the lint keeps console.log out of the code). */
export function print(line: string): void {
  process.stdout.write(`${line}\n`);
}
