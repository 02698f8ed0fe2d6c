// Preloaded (`node --require`) into a benchmarked process: at exit it writes
// the process's peak RSS in bytes to file descriptor 3, which the benchmark
// opened as a pipe. Worker threads share the process, so they are counted.
process.on('exit', () => {
  try {
    require('node:fs').writeSync(3, `${process.resourceUsage().maxRSS * 1024}\n`);
  } catch {
    // Not started by the benchmark (no fd 3): nothing to report.
  }
});
