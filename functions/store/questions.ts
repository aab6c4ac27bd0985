/** Questions and objections of providers, answered by purchasers; public answers make the Q&A memo. */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../commons/errors.ts';
import { questionInputSchema, questionSchema, type Question, type QuestionInput, type Step } from '../domain/model.ts';
import { assertQuestionsOpen } from '../domain/questions.ts';
import { clean, isConditionFailed, nowIso, queryAll, type StoreDeps } from './dynamo.ts';
import { indexKeys, keys, prefixes, withoutKeys } from './keys.ts';

const parseQuestion = (item: Record<string, unknown>): Question => questionSchema.parse(withoutKeys(item));

export function questionRepository(deps: StoreDeps, lookups: { getSteps(cycleId: string): Promise<Step[]> }) {
  const { doc, tableName: TableName, clock } = deps;

  return {
    /** Records a question; ExpiredError after the questions deadline, ConflictError if the id exists. */
    async putQuestion(input: QuestionInput): Promise<Question> {
      const parsed = questionInputSchema.parse(input);
      assertQuestionsOpen(await lookups.getSteps(parsed.cycleId), clock.now());
      const question: Question = { ...parsed, askedAt: nowIso(clock), status: 'open', public: false };
      try {
        await doc.send(
          new PutCommand({
            TableName,
            Item: clean({
              ...question,
              ...keys.question(question.cycleId, question.id),
              ...indexKeys.questionOfProvider(question.agb, question.cycleId, question.id),
            }),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (isConditionFailed(error)) throw new ConflictError(`Question ${question.id} exists already`);
        throw error;
      }
      return question;
    },

    /** Answers (or re-answers) a question and says whether the answer goes into the Q&A memo. */
    async answerQuestion(cycleId: string, id: string, answer: { text: string; by: string; public: boolean }): Promise<Question> {
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName,
            Key: keys.question(cycleId, id),
            UpdateExpression: 'SET answer = :answer, #status = :answered, #public = :public',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#status': 'status', '#public': 'public' },
            ExpressionAttributeValues: {
              ':answer': { text: answer.text, by: answer.by, at: nowIso(clock) },
              ':answered': 'answered',
              ':public': answer.public,
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return parseQuestion(out.Attributes ?? {});
      } catch (error) {
        if (isConditionFailed(error)) throw new NotFoundError(`No question ${id} in cycle ${cycleId}`);
        throw error;
      }
    },

    /** The questions of a cycle; `publicOnly` for the Q&A memo. */
    async listQuestions(cycleId: string, options: { publicOnly?: boolean } = {}): Promise<Question[]> {
      const all = await queryAll(
        deps,
        {
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.cycle(cycleId).pk, ':prefix': prefixes.question },
        },
        parseQuestion,
      );
      return options.publicOnly ? all.filter((q) => q.public && q.answer) : all;
    },
  };
}
