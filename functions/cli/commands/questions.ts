/**
 * `inkoop questions <cycle>`: the providers' questions and objections of a cycle.
 * `inkoop questions answer <id> --public|--private "…"`: a purchaser answers; at
 * the cycle's Q&A memo milestone the public answers are published as the memo
 * (Nota van Inlichtingen).
 */
import type { Command } from 'commander';
import { ValidationError } from '../../commons/errors.ts';
import type { GlobalOptions } from '../operator-context.ts';
import { answerSchema } from '../../operators/questions.ts';
import { questionsText } from '../../operators/text.ts';
import { action, printJson } from '../run.ts';
import { localActor, withOperatorContext } from './load.ts';

export function registerQuestionsCommands(program: Command): void {
  const questions = program
    .command('questions')
    .argument('[cycle]', 'the cycle id')
    .option('--open', 'only open questions')
    .option('--answered', 'only answered questions')
    .option('--json', 'print as JSON')
    .description('List the questions and objections of a cycle (open first); answer them with `questions answer`.')
    .action(
      action(async (cycle: string | undefined, opts: { open?: boolean; answered?: boolean; json?: boolean }, command: Command) => {
        if (!cycle) throw new ValidationError('Name the cycle: inkoop questions <cycle>', [{ path: 'cycle', message: 'required' }]);
        if (opts.open && opts.answered) throw new ValidationError('Choose --open or --answered, not both');
        const status = opts.open ? 'open' : opts.answered ? 'answered' : undefined;
        await withOperatorContext(command.optsWithGlobals<GlobalOptions>(), async ({ service }) => {
          const list = await service.questions(cycle, status ? { status } : {});
          if (opts.json) return printJson(list);
          process.stdout.write(`${questionsText(cycle, list)}\n`);
        });
      }),
    );

  questions
    .command('answer')
    .argument('<id>', 'the question id')
    .option('--public <text>', 'answer for everyone: it goes into the Q&A memo')
    .option('--private <text>', 'answer only the asker')
    .option('--cycle <cycle>', 'the cycle (needed only when the id is used in more than one)')
    .option('--json', 'print the answered question as JSON')
    .description('Answer a question or objection, publicly (Q&A memo) or privately.')
    .action(
      action(async (id: string, opts: { public?: string; private?: string; cycle?: string; json?: boolean }, command: Command) => {
        if ((opts.public === undefined) === (opts.private === undefined)) {
          throw new ValidationError('Give exactly one of --public "…" or --private "…"', [{ path: '--public|--private', message: 'exactly one is required' }]);
        }
        const parsed = answerSchema.safeParse({ text: opts.public ?? opts.private, public: opts.public !== undefined });
        if (!parsed.success) {
          throw new ValidationError('Invalid answer', parsed.error.issues.map((i) => ({ path: opts.public !== undefined ? '--public' : '--private', message: i.message })));
        }
        await withOperatorContext(command.optsWithGlobals<GlobalOptions>(), async (ctx) => {
          const question = await ctx.service.findQuestion(id, opts.cycle);
          const answered = await ctx.service.answer({ cycleId: question.cycleId, id }, parsed.data, await localActor());
          if (opts.json) return printJson(answered);
          process.stdout.write(`Answered ${id} in ${answered.cycleId} (${answered.public ? 'public: it goes into the Q&A memo' : 'private: only the asker'}).\n`);
        });
      }),
    );
}
