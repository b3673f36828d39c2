/**
 * One root pino logger per process; components take a child (`log.child({ component })`).
 * Message text is static; PII only ever goes under `pii.*` keys, which are redacted.
 */
import { type Logger, pino } from 'pino';

export type { Logger };

export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: opts.name ?? 'signalroom',
    level: opts.level ?? 'info',
    redact: { paths: ['pii', 'pii.*', '*.pii', '*.pii.*'], censor: '[pii]' },
  });
}

/** A logger that discards everything: the default for library code and tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
