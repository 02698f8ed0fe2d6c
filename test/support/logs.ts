import { createLogger, type Logger } from '../../lib/logger';

/** One parsed JSON log line. */
export type LogLine = Record<string, unknown>;

/** A logger at debug level that keeps every line it writes, parsed, in `lines`. */
export function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { logger: createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) }), lines };
}
