/**
 * Structured JSON-lines logger that cannot leak a secret: every field whose name looks like a
 * credential is replaced before the line is written, however deep it sits.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogSink = (line: string) => void;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|verifier|^code$|api[-_]?key|private[-_]?key|credential/i;
const REDACTED = '[redacted]';

export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  // Deeper than this is not read (a cycle, or a structure nobody should log): never printed as it is.
  if (depth > 6) return '[truncated]';
  if (value instanceof Error) return { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? REDACTED : redact(inner, depth + 1);
  }
  return out;
}

export interface LoggerOptions {
  level?: LogLevel;
  sink?: LogSink;
  base?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const { level = 'info', sink = (line) => process.stdout.write(line + '\n'), base = {} } = options;
  return boundLogger(LEVEL_ORDER[level], sink, base);
}

const ignore = (): void => {};

/**
 * A logger is made once per request (and again per account), so a child only merges its fields:
 * the level check is settled here, and a disabled level is a no-op that builds no record.
 */
function boundLogger(threshold: number, sink: LogSink, base: Record<string, unknown>): Logger {
  const at = (lvl: LogLevel): Logger['info'] =>
    LEVEL_ORDER[lvl] < threshold
      ? ignore
      : (msg, fields) => sink(JSON.stringify(redact({ time: new Date().toISOString(), level: lvl, msg, ...base, ...fields })));
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => boundLogger(threshold, sink, { ...base, ...fields }),
  };
}

/** A logger that keeps its lines in memory: for tests that check what was (not) logged. */
export function createMemoryLogger(level: LogLevel = 'debug'): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(createLogger({ level, sink: (line) => lines.push(line) }), { lines });
}
