import { isDomainError, ValidationError } from '../commons/errors.ts';

/**
 * Wraps a subcommand's action: prints a domain error as a clear message (or
 * JSON with --json) on stderr and sets the exit code; unknown errors exit 2.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void) {
  return async (...args: A): Promise<void> => {
    try {
      await fn(...args);
    } catch (error) {
      process.exitCode = reportError(error);
    }
  };
}

export function reportError(error: unknown): number {
  if (error instanceof ValidationError) {
    process.stderr.write(`error: ${error.message}\n`);
    for (const issue of error.issues) {
      const where = [issue.source, issue.path].filter(Boolean).join(': ');
      const detail = [
        issue.expected !== undefined ? `expected ${issue.expected}` : '',
        issue.found !== undefined ? `found ${issue.found}` : '',
      ]
        .filter(Boolean)
        .join(', ');
      process.stderr.write(`  ${where}: ${issue.message}${detail ? ` (${detail})` : ''}\n`);
    }
    return error.exitCode;
  }
  if (isDomainError(error)) {
    process.stderr.write(`error: ${error.message}\n`);
    return error.exitCode;
  }
  process.stderr.write(`unexpected error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  return 2;
}

export const printJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};
