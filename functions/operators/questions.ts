/**
 * Providers' questions and objections, answered by purchasers. A public
 * answer goes into the cycle's Q&A memo (Nota van Inlichtingen) at its
 * milestone (functions/publication); a private one only to the asker.
 */
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../commons/errors.ts';
import type { Question } from '../domain/index.ts';
import type { OperatorDeps } from './deps.ts';
import type { QuestionView } from './views.ts';

export const answerSchema = z.object({
  text: z.string('an answer').trim().min(3, 'an answer of at least 3 characters').max(10_000, 'an answer of at most 10000 characters'),
  public: z.boolean('true (into the Q&A memo) or false (only to the asker)'),
});
export type AnswerInput = z.infer<typeof answerSchema>;

export const questionFilterSchema = z.object({ status: z.enum(['open', 'answered'], 'open or answered').optional() });
export type QuestionFilter = z.infer<typeof questionFilterSchema>;

export const questionView = (q: Question): QuestionView => ({
  id: q.id,
  cycleId: q.cycleId,
  agb: q.agb,
  kind: q.kind,
  text: q.text,
  askedAt: q.askedAt,
  status: q.status,
  public: q.public,
  ...(q.answer ? { answer: q.answer } : {}),
});

/** A cycle's questions, oldest first; open ones first when unfiltered. */
export async function listQuestions(deps: Pick<OperatorDeps, 'store'>, cycleId: string, filter: QuestionFilter = {}): Promise<QuestionView[]> {
  if (!(await deps.store.getCycle(cycleId))) throw new NotFoundError(`No cycle ${cycleId}`);
  const all = await deps.store.listQuestions(cycleId);
  return all
    .filter((q) => !filter.status || q.status === filter.status)
    .sort((a, b) => Number(a.status === 'answered') - Number(b.status === 'answered') || a.askedAt.localeCompare(b.askedAt))
    .map(questionView);
}

/**
 * Finds a question by id when the cycle is not given (`inkoop questions answer <id>`):
 * a handful of cycles, one Query each. Ambiguous ids need the cycle.
 */
export async function findQuestion(deps: Pick<OperatorDeps, 'store'>, id: string, cycleId?: string): Promise<QuestionView> {
  const cycles = cycleId ? [cycleId] : (await deps.store.listCycles()).map((c) => c.id);
  const found = (await Promise.all(cycles.map((c) => deps.store.listQuestions(c)))).flat().filter((q) => q.id === id);
  if (found.length === 0) throw new NotFoundError(`No question ${id}${cycleId ? ` in cycle ${cycleId}` : ''}`);
  if (found.length > 1) {
    throw new ConflictError(`Question id ${id} exists in cycles ${found.map((q) => q.cycleId).join(', ')}; name the cycle`, { id });
  }
  return questionView(found[0]);
}

export async function answerQuestion(
  deps: Pick<OperatorDeps, 'store'>,
  target: { cycleId: string; id: string },
  input: AnswerInput,
  by: string,
): Promise<QuestionView> {
  return questionView(await deps.store.answerQuestion(target.cycleId, target.id, { text: input.text, by, public: input.public }));
}
