import type { Command } from 'commander';
import { isDomainError, ValidationError, type Issue } from '../commons/errors.ts';

/**
 * Wraps a subcommand's action: prints a domain error as a clear message (or
 * JSON with --json) on stderr and sets the exit code; unknown errors exit 2.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void) {
  return async (...args: A): Promise<void> => {
    try {
      await fn(...args);
    } catch (error) {
      process.exitCode = reportError(error, { json: wantsJson(args) });
    }
  };
}

/** Commander passes the command last; `--json` may be the command's own option or a parent's. */
function wantsJson(args: readonly unknown[]): boolean {
  const command = args.at(-1) as Partial<Command> | undefined;
  if (typeof command?.optsWithGlobals !== 'function') return false;
  return command.optsWithGlobals<{ json?: boolean }>().json === true;
}

/** Thousands of issues help nobody and fill a terminal: the first ones, then how many more. */
export const MAX_REPORTED_ISSUES = 50;

export interface ReportOptions {
  /** Errors as one JSON object on stderr: `{ "error": { code, message, exitCode, issues?, moreIssues? } }`. */
  json?: boolean;
}

export function reportError(error: unknown, options: ReportOptions = {}): number {
  const known = isDomainError(error) ? error : undefined;
  const exitCode = known?.exitCode ?? 2;
  const issues = error instanceof ValidationError ? error.issues : [];
  const shown = issues.slice(0, MAX_REPORTED_ISSUES);
  const more = issues.length - shown.length;
  if (options.json) {
    const message = known ? known.message : error instanceof Error ? error.message : String(error);
    const body = {
      code: known?.code ?? 'UnexpectedError',
      message,
      exitCode,
      ...(issues.length ? { issues: shown, ...(more > 0 ? { moreIssues: more } : {}) } : {}),
    };
    process.stderr.write(`${JSON.stringify({ error: body }, null, 2)}\n`);
    return exitCode;
  }
  if (known) {
    process.stderr.write(`error: ${known.message}\n`);
    for (const issue of shown) process.stderr.write(`  ${issueLine(issue)}\n`);
    if (more > 0) process.stderr.write(`  … and ${more} more ${more === 1 ? 'problem' : 'problems'} (${issues.length} in all)\n`);
    return exitCode;
  }
  process.stderr.write(`unexpected error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  return 2;
}

function issueLine(issue: Issue): string {
  const where = [issue.source, issue.path].filter(Boolean).join(': ');
  const detail = [issue.expected !== undefined ? `expected ${issue.expected}` : '', issue.found !== undefined ? `found ${issue.found}` : '']
    .filter(Boolean)
    .join(', ');
  return `${where}: ${issue.message}${detail ? ` (${detail})` : ''}`;
}

export const printJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};
