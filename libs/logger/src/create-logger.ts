import winston from 'winston';
import { redactValue } from './redact';

/** The few methods the service uses; every call site gets redaction for free. */
export interface Logger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
  child(meta: Record<string, unknown>): Logger;
}

/** Options of the root logger. */
export interface LoggerOptions {
  service: string;
  level: 'error' | 'warn' | 'info' | 'debug';
  format: 'json' | 'pretty';
  /** Destination of log lines; standard output when not given (tests pass their own). */
  stream?: NodeJS.WritableStream;
}

const redaction = winston.format((info) => {
  const masked = redactValue({ ...info }) as Record<string, unknown>;
  for (const key of Object.keys(masked)) (info as Record<string, unknown>)[key] = masked[key];
  return info;
});

/** Builds the process logger: JSON lines with a timestamp, secrets masked before anything is written. */
export function createLogger(options: LoggerOptions): Logger {
  const format =
    options.format === 'json'
      ? winston.format.combine(redaction(), winston.format.timestamp(), winston.format.json())
      : winston.format.combine(
          redaction(),
          winston.format.timestamp({ format: 'HH:mm:ss' }),
          winston.format.printf(({ timestamp, level, message, service, ...rest }) => {
            const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
            return `${String(timestamp)} ${String(service)} ${level}: ${String(message)}${extra}`;
          }),
        );
  const transports = [new winston.transports.Stream({ stream: options.stream ?? process.stdout })];
  return winston.createLogger({ level: options.level, defaultMeta: { service: options.service }, format, transports });
}
