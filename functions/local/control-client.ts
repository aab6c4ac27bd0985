/**
 * The other side of the control endpoint (./control.ts): how a separate process
 * (`inkoop clock …`, `inkoop` commands that need the virtual time) talks to the
 * local runtime running on a data folder.
 */
import { ConflictError, NotFoundError, ValidationError } from '../commons/errors.ts';
import type { LocalExecutionStarterFactory, StartedExecution } from '../cycles/executions.ts';
import { readRuntimeFile, type RuntimeInfo } from './runtime-file.ts';

export interface ControlStatus {
  clock: { now: string; mode: unknown; nextWakeUp: string | null };
  [key: string]: unknown;
}

/** The running runtime of `dataDir`, or a NotFoundError that says how to start one. */
export function requireRuntime(dataDir: string): RuntimeInfo {
  const info = readRuntimeFile(dataDir);
  if (!info) {
    throw new NotFoundError(`No local runtime runs on ${dataDir} (start one with \`inkoop rehearse … --interactive\` or \`npm start\`)`);
  }
  return info;
}

export async function controlRequest<T>(info: Pick<RuntimeInfo, 'control'>, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${info.control.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${info.control.secret}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      // Moving through a year of wake-ups by hand can take a while.
      signal: AbortSignal.timeout(10 * 60_000),
    });
  } catch (error) {
    throw new ConflictError(`The local runtime does not answer on ${info.control.url}: ${(error as Error).message}`);
  }
  const payload = (await response.json().catch(() => ({}))) as { message?: string };
  if (!response.ok) {
    const message = payload.message ?? `control endpoint answered ${response.status}`;
    if (response.status === 400) throw new ValidationError(message);
    if (response.status === 404) throw new NotFoundError(message);
    throw new ConflictError(message);
  }
  return payload as T;
}

export const controlStatus = (info: RuntimeInfo): Promise<ControlStatus> => controlRequest(info, 'GET', '/status');

/**
 * How the CLI starts a cycle execution locally (functions/cycles
 * provideLocalExecutionStarter): by asking the runtime running on the data
 * folder; undefined when none runs (the runtime resumes the cycle when it next runs it).
 */
export const localExecutionStarter: LocalExecutionStarterFactory = async ({ data }) => {
  const info = readRuntimeFile(data ?? '.local');
  if (!info) return undefined;
  return { startExecution: (request) => controlRequest<StartedExecution>(info, 'POST', '/executions', request) };
};
