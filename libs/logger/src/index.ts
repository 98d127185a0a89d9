export { createLogger, type Logger, type LoggerOptions } from './create-logger';
export { redactText, redactValue, REDACTED } from './redact';
