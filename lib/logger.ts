export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
type Fields = Record<string, unknown>;

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  /** Keys (dataset, run, job) added to every later line of this logger. */
  appendKeys(fields: Fields): void;
  /** A logger with the same sink and these keys added. */
  child(fields: Fields): Logger;
}

function serialiseError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const out: Fields = { name: error.name, message: error.message };
  if (error.stack) out.stack = error.stack;
  if (error.cause !== undefined) out.cause = serialiseError(error.cause);
  if (error instanceof AggregateError) out.errors = error.errors.map(serialiseError);
  return out;
}

/**
 * One JSON object per line: `level`, `message`, `timestamp`, the appended keys and
 * the fields of the call. `Error` values are expanded with their cause chain
 * (and an `AggregateError` with each of its errors).
 */
export function createLogger(
  options: { level?: LogLevel; write?: (line: string) => void; keys?: Fields } = {},
): Logger {
  const threshold = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const keys: Fields = { ...options.keys };
  const emit = (level: LogLevel, message: string, fields?: Fields) => {
    if (ORDER[level] < threshold) return;
    const line: Fields = { level, message, timestamp: new Date().toISOString(), ...keys };
    for (const [k, v] of Object.entries(fields ?? {})) line[k] = serialiseError(v);
    write(JSON.stringify(line));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    appendKeys: (fields) => Object.assign(keys, fields),
    child: (fields) => createLogger({ ...options, keys: { ...keys, ...fields } }),
  };
}

/** A logger that drops everything, for tests and quiet CLI runs. */
export const silentLogger: Logger = createLogger({ write: () => {} });
