/** Questions and objections: asked before the questions deadline, if the calendar has one. */
import { ExpiredError } from '../commons/errors.ts';
import { deadlineOf, type Timed } from './guards.ts';

export function assertQuestionsOpen(steps: readonly Timed[], now: number): void {
  const deadline = deadlineOf(steps, 'questions-deadline');
  if (deadline !== undefined && now >= deadline) {
    throw new ExpiredError(`The deadline for questions and objections passed at ${new Date(deadline).toISOString()}`);
  }
}
