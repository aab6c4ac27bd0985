/**
 * Everything the operator API and the dashboard can do, as one interface.
 * `createOperatorService` runs it on the store (CLI, Lambda, local dashboard);
 * ./client.ts runs it against a deployed operator API (the dashboard in AWS
 * mode), so the pages never know where their data comes from.
 */
import type { AdminPort, AmendRequest, AmendView, CreateCycleInput, CreatedCycleView, ImportRequest, ImportUploadRequest, ImportUploadView, ImportView, StartedCycleView } from './admin.ts';
import { advanceClock, clockView } from './clock.ts';
import { correctContact, unreachableQueue, type CorrectContactInput } from './contacts.ts';
import { decisionQueue, recordDecision, type DecisionInput, type DecisionResult } from './decisions.ts';
import type { OperatorDeps } from './deps.ts';
import { emailLog, type EmailFilter } from './emails.ts';
import { UnavailableError } from './errors.ts';
import { providerHistory, searchProviders, type ProviderSearch } from './providers.ts';
import { answerQuestion, findQuestion, listQuestions, type AnswerInput, type QuestionFilter } from './questions.ts';
import { allCycleStatuses, cycleStatus } from './status.ts';
import type {
  ClockView,
  ContactCorrectionResult,
  CycleStatusView,
  DecisionQueueView,
  EmailLogView,
  ProviderHistoryView,
  ProviderMatch,
  QuestionView,
  UnreachableView,
} from './views.ts';

export interface RetryResult {
  cycleId: string;
  milestoneId: string;
  /** The steps put back to due, and the execution that resumes the cycle there. */
  steps: string[];
  executionName: string;
  executionArn: string | null;
}

export interface ResumeResult {
  cycleId: string;
  /** The steps put back to due (left running or failed), and the execution that resumes the cycle. */
  steps: string[];
  executionName: string;
  executionArn: string | null;
}

export type AdvanceResult = ClockView & { moved: { from: string; to: string } | null };

/**
 * `by` is who acts: the purchaser or operator. A remote service ignores it:
 * the operator API takes the IAM caller instead.
 */
export interface OperatorService {
  cycles(): Promise<CycleStatusView[]>;
  cycle(cycleId: string): Promise<CycleStatusView>;
  decisionQueue(cycleId: string): Promise<DecisionQueueView>;
  decide(target: { cycleId: string; agb: string }, input: DecisionInput, by: string): Promise<DecisionResult>;
  questions(cycleId: string, filter?: QuestionFilter): Promise<QuestionView[]>;
  answer(target: { cycleId: string; id: string }, input: AnswerInput, by: string): Promise<QuestionView>;
  retry(cycleId: string, milestoneId: string, by: string): Promise<RetryResult>;
  resume(cycleId: string, by: string): Promise<ResumeResult>;
  emails(filter?: EmailFilter): Promise<EmailLogView>;
  searchProviders(search: ProviderSearch): Promise<ProviderMatch[]>;
  provider(agb: string): Promise<ProviderHistoryView>;
  clock(): Promise<ClockView>;
  advanceClock(): Promise<AdvanceResult>;
  findQuestion(id: string, cycleId?: string): Promise<QuestionView>;
  createCycle(input: CreateCycleInput): Promise<CreatedCycleView>;
  startCycle(cycleId: string): Promise<StartedCycleView>;
  amend(target: { cycleId: string; milestoneId: string }, input: AmendRequest, by: string): Promise<AmendView>;
  importUpload(request: ImportUploadRequest): Promise<ImportUploadView>;
  importProviders(request: ImportRequest): Promise<ImportView>;
  unreachable(): Promise<UnreachableView>;
  correctContact(agb: string, input: CorrectContactInput, by: string): Promise<ContactCorrectionResult>;
}

export function createOperatorService(deps: OperatorDeps): OperatorService {
  const admin = (): AdminPort => {
    if (!deps.admin) throw new UnavailableError('Cycle administration is not available here');
    return deps.admin;
  };
  return {
    cycles: () => allCycleStatuses(deps),
    cycle: (cycleId) => cycleStatus(deps, cycleId),
    decisionQueue: (cycleId) => decisionQueue(deps, cycleId),
    decide: (target, input, by) => recordDecision(deps, target, input, by),
    questions: (cycleId, filter) => listQuestions(deps, cycleId, filter),
    answer: (target, input, by) => answerQuestion(deps, target, input, by),
    async retry(cycleId, milestoneId, by) {
      if (!deps.retry) throw new UnavailableError('Retrying milestones is not available here; use `inkoop milestone retry`');
      const outcome = await deps.retry(cycleId, milestoneId, by);
      return {
        cycleId,
        milestoneId,
        steps: outcome.steps.map((s) => s.stepId),
        executionName: outcome.executionName,
        executionArn: outcome.executionArn ?? null,
      };
    },
    async resume(cycleId, by) {
      if (!deps.resume) throw new UnavailableError('Resuming cycles is not available here; use `inkoop cycle resume`');
      const outcome = await deps.resume(cycleId, by);
      return { cycleId, steps: outcome.steps.map((s) => s.stepId), executionName: outcome.executionName, executionArn: outcome.executionArn ?? null };
    },
    emails: (filter) => emailLog(deps, filter),
    searchProviders: (search) => searchProviders(deps, search),
    provider: (agb) => providerHistory(deps, agb),
    clock: async () => clockView(deps),
    advanceClock: () => advanceClock(deps),
    findQuestion: (id, cycleId) => findQuestion(deps, id, cycleId),
    createCycle: (input) => admin().createCycle(input),
    startCycle: (cycleId) => admin().startCycle(cycleId),
    amend: (target, input, by) => admin().amend(target, input, by),
    importUpload: (request) => admin().importUpload(request),
    importProviders: (request) => admin().importProviders(request),
    unreachable: () => unreachableQueue(deps),
    correctContact: (agb, input, by) => correctContact(deps, agb, input, by),
  };
}
