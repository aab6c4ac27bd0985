/** The clock in use, and moving it in an interactive rehearsal. */
import { formatLocalInstant } from '../calendar/time.ts';
import { ConflictError } from '../commons/errors.ts';
import type { OperatorDeps } from './deps.ts';
import { UnavailableError } from './errors.ts';
import type { ClockView } from './views.ts';

export function clockView(deps: Pick<OperatorDeps, 'clock' | 'clockControl'>): ClockView {
  const now = new Date(deps.clock.now()).toISOString();
  const control = deps.clockControl;
  const next = control?.nextWakeUp();
  return {
    now,
    nowLocal: formatLocalInstant(now),
    canAdvance: !!control?.interactive() && next !== undefined,
    nextWakeUp: next === undefined ? null : new Date(next).toISOString(),
  };
}

export async function advanceClock(deps: Pick<OperatorDeps, 'clock' | 'clockControl'>): Promise<ClockView & { moved: { from: string; to: string } | null }> {
  const control = deps.clockControl;
  if (!control) throw new UnavailableError('The clock can only be moved in a local rehearsal');
  if (!control.interactive()) throw new ConflictError('The rehearsal is not interactive: its clock moves by itself');
  const moved = await control.advanceToNext();
  return {
    ...clockView(deps),
    moved: moved ? { from: new Date(moved.from).toISOString(), to: new Date(moved.to).toISOString() } : null,
  };
}
