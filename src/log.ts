// The library's only route to a console. Silent unless a caller passes a level or a logger.

export type LogLevel = 'silent' | 'error' | 'warn' | 'info' | 'debug';

/** Warning categories. warnOnce emits each at most once per logger. */
export type WarningCategory = 'fallback' | 'limits-reduced' | 'precision';

/** A sink for library messages. Any object with these four methods works, pino and console included. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const levelRank: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 };

/** A logger that drops everything. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** Creates a logger that writes to stderr at `level` and above. */
export function createConsoleLogger(level: LogLevel): Logger {
  const rank = levelRank[level];
  const write = (threshold: LogLevel, prefix: string) => (message: string, fields?: Record<string, unknown>) => {
    if (rank < levelRank[threshold]) return;
    const suffix = fields === undefined ? '' : ` ${JSON.stringify(fields)}`;
    console.error(`[osusume] ${prefix}${message}${suffix}`);
  };
  return {
    debug: write('debug', 'debug: '),
    info: write('info', ''),
    warn: write('warn', 'warning: '),
    error: write('error', 'error: '),
  };
}

const warnedCategories = new WeakMap<Logger, Set<WarningCategory>>();

/** Emits a categorised warning once per logger; later warnings of the same category are dropped. */
export function warnOnce(logger: Logger, category: WarningCategory, message: string, fields?: Record<string, unknown>): void {
  let seen = warnedCategories.get(logger);
  if (seen === undefined) {
    seen = new Set();
    warnedCategories.set(logger, seen);
  }
  if (seen.has(category)) return;
  seen.add(category);
  logger.warn(`[${category}] ${message}`, fields);
}
