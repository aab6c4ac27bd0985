/**
 * Providers' questions and objections, answered by purchasers. A public
 * answer goes into the cycle's Q&A memo (Nota van Inlichtingen) at its
 * milestone (functions/publication); a private one is emailed to the asker.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../commons/errors.ts';
import type { MessageInput, Question } from '../domain/index.ts';
import { messageKey } from '../domain/messages.ts';
import { recipientOf, signatoryOf } from '../domain/provider.ts';
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

/**
 * Records a purchaser's answer. A private answer is emailed to the contact who
 * asked (or the provider's signatory or first contact, if that contact is gone),
 * queued with the answer itself; a public one waits for the Q&A memo. The
 * email's key is the answer's text, so the same answer twice is one email and a
 * corrected answer is another.
 */
export async function answerQuestion(
  deps: Pick<OperatorDeps, 'store'>,
  target: { cycleId: string; id: string },
  input: AnswerInput,
  by: string,
): Promise<QuestionView> {
  const answer = { text: input.text, by, public: input.public };
  if (input.public) return questionView(await deps.store.answerQuestion(target.cycleId, target.id, answer));
  const question = (await deps.store.listQuestions(target.cycleId)).find((q) => q.id === target.id);
  if (!question) throw new NotFoundError(`No question ${target.id} in cycle ${target.cycleId}`);
  const [cycle, provider] = await Promise.all([deps.store.getCycle(target.cycleId), deps.store.getProvider(question.agb)]);
  if (!cycle) throw new NotFoundError(`No cycle ${target.cycleId}`);
  if (!provider) throw new NotFoundError(`No provider ${question.agb} (who asked question ${question.id})`);
  const contact = provider.contacts.find((c) => c.id === question.contactId) ?? signatoryOf(provider) ?? provider.contacts[0];
  const message: MessageInput = {
    key: messageKey({
      cycleId: cycle.id,
      agb: provider.agb,
      cause: `answer-${question.id}-${createHash('sha256').update(input.text).digest('hex').slice(0, 16)}`,
      template: 'question-answered',
    }),
    cycleId: cycle.id,
    agb: provider.agb,
    recipients: [recipientOf(contact)],
    template: 'question-answered',
    params: {
      providerName: provider.name,
      agb: provider.agb,
      careTypeName: cycle.careType.name,
      contractYear: cycle.contract.firstYear,
      contractTermYears: cycle.contract.termYears,
      questionReference: question.id,
      kind: question.kind,
      question: question.text,
      answer: input.text,
    },
  };
  return questionView(await deps.store.answerQuestion(target.cycleId, target.id, answer, { message }));
}
