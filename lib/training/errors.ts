/** The training request cannot be built from the run and its settings. Not retryable. */
export class TrainingConfigError extends Error {
  override readonly name = 'TrainingConfigError';
}
