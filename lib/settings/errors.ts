/** A settings file or stack parameter is invalid. Not retryable. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(
    /** Stable, for programs: `SETTINGS_NOT_JSON` or `SETTINGS_INVALID`. */
    readonly code: 'SETTINGS_NOT_JSON' | 'SETTINGS_INVALID',
    message: string,
    readonly file: string,
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

/** The process environment of a function is incomplete or wrong: a deployment bug. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
