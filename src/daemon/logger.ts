/**
 * Structured logging: one line per event with time, level, subsystem, the
 * connection and SA it concerns, a message and key=value fields.
 *
 *   2026-11-26T16:40:58.123Z info  [ike] [gw-gw|#3|net{5}] CHILD_SA established spi_in=c1a2b3c4
 *
 * Levels are filtered per subsystem; recent lines are kept in a ring buffer
 * and pushed to subscribers (`styxctl log --follow`). Values wrapped in
 * `Secret` print as `<redacted>` (style rule 11); no dependency.
 */
import { isSecret, REDACTED } from '../config/secret.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const SEVERITY: Readonly<Record<LogLevel, number>> = { error: 0, warn: 1, info: 2, debug: 3 };

/** What an event concerns: the connection, the IKE_SA and CHILD_SA unique IDs and SPIs. */
export interface LogContext {
  readonly connection?: string;
  /** IKE_SA unique ID, printed `#3`. */
  readonly ikeSa?: number;
  /** CHILD_SA name and unique ID, printed `net{5}`. */
  readonly child?: string;
  readonly childSa?: number;
}

export type LogFields = Readonly<Record<string, unknown>>;

export interface LogRecord {
  readonly time: Date;
  readonly level: LogLevel;
  readonly subsystem: string;
  readonly context: LogContext;
  readonly message: string;
  readonly fields: LogFields;
}

export type LogListener = (line: string, record: LogRecord) => void;

export interface LoggerOptions {
  /** Default level for subsystems without their own (default `info`). */
  readonly level?: LogLevel;
  readonly levels?: Readonly<Record<string, LogLevel>>;
  readonly format?: 'text' | 'json';
  /** Where lines go (default: stderr, which journald collects). */
  readonly sink?: (line: string) => void;
  /** Lines kept for `styxctl log` (default 1000). */
  readonly ringSize?: number;
  readonly now?: () => Date;
}

function escapeControl(text: string): string {
  // One event, one line: newlines and other control characters are escaped.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) =>
    c === '\n' ? '\\n' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

function toPlain(value: unknown): unknown {
  if (isSecret(value)) return REDACTED;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return value.message;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toPlain);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  }
  return value;
}

function formatValue(value: unknown): string {
  const plain = toPlain(value);
  const text = typeof plain === 'string' ? plain : (JSON.stringify(plain) ?? String(plain));
  return typeof plain === 'string' && !/^[^\s"=]+$/.test(text)
    ? JSON.stringify(text)
    : escapeControl(text);
}

export function formatContext(context: LogContext): string {
  const parts: string[] = [];
  if (context.connection !== undefined) parts.push(context.connection);
  if (context.ikeSa !== undefined) parts.push(`#${context.ikeSa}`);
  if (context.child !== undefined || context.childSa !== undefined) {
    parts.push(
      `${context.child ?? ''}${context.childSa !== undefined ? `{${context.childSa}}` : ''}`,
    );
  }
  return parts.length > 0 ? `[${parts.join('|')}] ` : '';
}

export function formatTextLine(record: LogRecord): string {
  const fields = Object.entries(record.fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}=${formatValue(v)}`)
    .join('');
  return `${record.time.toISOString()} ${record.level.padEnd(5)} [${record.subsystem}] ${formatContext(record.context)}${escapeControl(record.message)}${fields}`;
}

export function formatJsonLine(record: LogRecord): string {
  return JSON.stringify({
    time: record.time.toISOString(),
    level: record.level,
    subsystem: record.subsystem,
    ...(toPlain(record.context) as object),
    message: record.message,
    ...(Object.keys(record.fields).length > 0 && { fields: toPlain(record.fields) }),
  });
}

export class Logger {
  #level: LogLevel;
  readonly #levels = new Map<string, LogLevel>();
  readonly #format: 'text' | 'json';
  readonly #sink: (line: string) => void;
  readonly #now: () => Date;
  readonly #ring: string[] = [];
  readonly #ringSize: number;
  #ringStart = 0;
  readonly #listeners = new Set<LogListener>();

  constructor(options: LoggerOptions = {}) {
    this.#level = options.level ?? 'info';
    for (const [subsystem, level] of Object.entries(options.levels ?? {}))
      this.#levels.set(subsystem, level);
    this.#format = options.format ?? 'text';
    this.#sink = options.sink ?? ((line) => process.stderr.write(`${line}\n`));
    this.#now = options.now ?? (() => new Date());
    this.#ringSize = Math.max(1, options.ringSize ?? 1000);
  }

  /** Sets the default level, or one subsystem's level. */
  setLevel(level: LogLevel, subsystem?: string): void {
    if (subsystem === undefined) this.#level = level;
    else this.#levels.set(subsystem, level);
  }

  enabled(level: LogLevel, subsystem: string): boolean {
    return SEVERITY[level] <= SEVERITY[this.#levels.get(subsystem) ?? this.#level];
  }

  log(
    level: LogLevel,
    subsystem: string,
    message: string,
    context: LogContext = {},
    fields: LogFields = {},
  ): void {
    if (!this.enabled(level, subsystem)) return;
    const record: LogRecord = { time: this.#now(), level, subsystem, context, message, fields };
    const line = this.#format === 'json' ? formatJsonLine(record) : formatTextLine(record);
    this.#remember(line);
    this.#sink(line);
    for (const listener of this.#listeners) {
      try {
        listener(line, record);
      } catch {
        // A failing subscriber (a closed control client) must not stop logging.
        this.#listeners.delete(listener);
      }
    }
  }

  error(subsystem: string, message: string, context?: LogContext, fields?: LogFields): void {
    this.log('error', subsystem, message, context, fields);
  }

  warn(subsystem: string, message: string, context?: LogContext, fields?: LogFields): void {
    this.log('warn', subsystem, message, context, fields);
  }

  info(subsystem: string, message: string, context?: LogContext, fields?: LogFields): void {
    this.log('info', subsystem, message, context, fields);
  }

  debug(subsystem: string, message: string, context?: LogContext, fields?: LogFields): void {
    this.log('debug', subsystem, message, context, fields);
  }

  /** A logger bound to one subsystem and context, for an engine or an SA. */
  scoped(subsystem: string, context: LogContext = {}): ScopedLogger {
    return new ScopedLogger(this, subsystem, context);
  }

  /** The most recent lines, oldest first (at most `limit`). */
  recent(limit = this.#ringSize): string[] {
    const ordered = [...this.#ring.slice(this.#ringStart), ...this.#ring.slice(0, this.#ringStart)];
    return ordered.slice(Math.max(0, ordered.length - limit));
  }

  /** Calls `listener` for every later line; returns the unsubscribe function. */
  subscribe(listener: LogListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #remember(line: string): void {
    if (this.#ring.length < this.#ringSize) {
      this.#ring.push(line);
      return;
    }
    this.#ring[this.#ringStart] = line;
    this.#ringStart = (this.#ringStart + 1) % this.#ringSize;
  }
}

export class ScopedLogger {
  constructor(
    readonly logger: Logger,
    readonly subsystem: string,
    readonly context: LogContext,
  ) {}

  with(context: LogContext): ScopedLogger {
    return new ScopedLogger(this.logger, this.subsystem, { ...this.context, ...context });
  }

  error(message: string, fields?: LogFields): void {
    this.logger.log('error', this.subsystem, message, this.context, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.logger.log('warn', this.subsystem, message, this.context, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.logger.log('info', this.subsystem, message, this.context, fields);
  }

  debug(message: string, fields?: LogFields): void {
    this.logger.log('debug', this.subsystem, message, this.context, fields);
  }
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return new Logger(options);
}
