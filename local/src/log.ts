export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Structured log lines from the local platform itself (not from handlers). */
export type LocalLogger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

function errorFields(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

/** One JSON object per line on stdout, in the same shape as Powertools Logger's. */
export function jsonLogger(service: string): LocalLogger {
  return (level, message, fields = {}) => {
    const entry: Record<string, unknown> = { level, message, timestamp: new Date().toISOString(), service };
    for (const [name, value] of Object.entries(fields)) entry[name] = errorFields(value);
    process.stdout.write(`${JSON.stringify(entry)}\n`);
  };
}

export const silentLogger: LocalLogger = () => {};
