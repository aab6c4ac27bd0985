/** Questions and objections of providers, answered by purchasers; public answers make the Q&A memo. */
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isoNow } from '../commons/clock.ts';
import { ConflictError, NotFoundError } from '../commons/errors.ts';
import { questionInputSchema, questionSchema, type MessageInput, type Question, type QuestionInput, type Step } from '../domain/model.ts';
import { assertQuestionsOpen } from '../domain/questions.ts';
import { cancellationCodes, clean, isConditionFailed, queryAll, type StoreDeps } from './dynamo.ts';
import { enqueueMessageItem } from './messages.ts';
import { indexKeys, keys, prefixes, withoutKeys } from './keys.ts';

const parseQuestion = (item: Record<string, unknown>): Question => questionSchema.parse(withoutKeys(item));

export function questionRepository(deps: StoreDeps, lookups: { getSteps(cycleId: string): Promise<Step[]> }) {
  const { doc, tableName: TableName, clock } = deps;

  return {
    /** Records a question; ExpiredError after the questions deadline, ConflictError if the id exists. */
    async putQuestion(input: QuestionInput): Promise<Question> {
      const parsed = questionInputSchema.parse(input);
      assertQuestionsOpen(await lookups.getSteps(parsed.cycleId), clock.now());
      const question: Question = { ...parsed, askedAt: isoNow(clock), status: 'open', public: false };
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

    /**
     * Answers (or re-answers) a question and says whether the answer goes into
     * the Q&A memo. `message` (a private answer's email) is queued in the same
     * transaction: answered if and only if queued. A message whose key exists
     * already (the same answer again) is not queued twice.
     */
    async answerQuestion(cycleId: string, id: string, answer: { text: string; by: string; public: boolean }, options: { message?: MessageInput } = {}): Promise<Question> {
      const at = isoNow(clock);
      const update = {
        TableName,
        Key: keys.question(cycleId, id),
        UpdateExpression: 'SET answer = :answer, #status = :answered, #public = :public',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status', '#public': 'public' },
        ExpressionAttributeValues: { ':answer': { text: answer.text, by: answer.by, at }, ':answered': 'answered', ':public': answer.public },
      };
      const notFound = () => new NotFoundError(`No question ${id} in cycle ${cycleId}`);
      if (options.message) {
        try {
          await doc.send(new TransactWriteCommand({ TransactItems: [{ Update: update }, enqueueMessageItem(TableName, options.message, at)] }));
          const out = await doc.send(new GetCommand({ TableName, Key: keys.question(cycleId, id), ConsistentRead: true }));
          return parseQuestion(out.Item ?? {});
        } catch (error) {
          const codes = cancellationCodes(error);
          if (!codes) throw error;
          if (codes[0] === 'ConditionalCheckFailed') throw notFound();
          if (codes[1] !== 'ConditionalCheckFailed') throw error;
          // The email of this very answer is queued already: record the answer alone.
        }
      }
      try {
        const out = await doc.send(new UpdateCommand({ ...update, ReturnValues: 'ALL_NEW' }));
        return parseQuestion(out.Attributes ?? {});
      } catch (error) {
        if (isConditionFailed(error)) throw notFound();
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
