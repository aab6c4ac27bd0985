/**
 * The cycle workflow: a chain of executions walks a contracting cycle's calendar.
 *
 *   Load the next milestone → (finished? → done)
 *   → Wait until it is due (at most one day, then re-read: an amended date is followed)
 *   → Mark it running → Run it page by page → Send its emails → Mark it done
 *   → Hand over to a new execution, which loads the next milestone.
 *
 * Why a chain: a standard execution lives at most one year and records at most
 * 25,000 history events. One execution per milestone keeps each within both:
 * it waits for one milestone (an execution that has waited HAND_OVER_AFTER_DAYS
 * hands the wait over), and one that has run MAX_TASKS_PER_EXECUTION pages or
 * sends hands the rest of its milestone over, at the page cursor. Each successor
 * is started by the `states:startExecution` integration under a name derived
 * from the cycle and step (`msr-2021--proposal-deadline`), so a retried
 * hand-over finds its successor (ExecutionAlreadyExists) instead of starting two.
 *
 * A failing milestone is recorded as failed (with its cause) and the execution
 * fails (alarm); an execution that dies anywhere else (failed, timed out,
 * aborted) leaves the cycle stalled. `inkoop cycle resume` starts a new
 * execution at the first step not done. Emails are never doubled: the outbox
 * key of each message is its idempotency key.
 *
 * Constraints of the local engine (aws-local-stepfunctions), kept so the same
 * definition runs there: JSONPath only, no .waitForTaskToken, no Distributed
 * Map, every Task has TimeoutSeconds (that engine defaults to 60 s), and no Wait
 * longer than 24.8 days (setTimeout overflow) — the one-day cap also ensures that.
 */

/** Lambda functions the workflow calls, as ARNs or `${Substitution}` placeholders. */
export interface CycleFunctions {
  nextMilestone: string;
  recordMilestone: string;
  runMilestone: string;
  sendEmails: string;
}

/** Definition substitution keys used by the CDK stack (DefinitionSubstitutions). */
export const CYCLE_SUBSTITUTIONS: CycleFunctions = {
  nextMilestone: '${NextMilestoneFunction}',
  recordMilestone: '${RecordMilestoneFunction}',
  runMilestone: '${RunMilestoneFunction}',
  sendEmails: '${SendEmailsFunction}',
};

export const STATE = {
  load: 'Load the next milestone',
  finished: 'Is the calendar finished?',
  complete: 'The cycle is complete',
  wait: 'Wait until the milestone is due (at most one day)',
  due: 'Is the milestone due now?',
  markRunning: 'Mark the milestone as running',
  runPage: 'Run the milestone for the next page of applications',
  morePages: 'Are there more applications to process?',
  send: 'Send the queued emails',
  moreEmails: 'Are there more emails to send?',
  markDone: 'Mark the milestone as done',
  markFailed: 'Mark the milestone as failed',
  failed: 'The milestone failed',
  continues: 'Does this execution continue a milestone?',
  countPage: 'Count the page',
  countSend: 'Count the send',
  handOverStep: 'Hand over to the next milestone',
  handOverPart: 'Hand over the rest of the milestone',
  handOverWait: 'Hand over the wait',
  startSuccessor: 'Start the successor execution',
  handedOver: 'Handed over',
} as const;

/**
 * Pages plus sends one execution runs before it hands the rest of its milestone
 * over: 9 events each (Task 5, Choice 2, Pass 2), so at most 9,000 of the
 * 20,000 events an execution may use (25,000 is Step Functions' hard limit),
 * next to at most HAND_OVER_AFTER_DAYS daily wait loops of 11 events.
 */
export const MAX_TASKS_PER_EXECUTION = 1000;

/** The successor of an execution that hands over, started by the states:startExecution integration. */
export const START_EXECUTION_RESOURCE = 'arn:aws:states:::states:startExecution';
/** What Step Functions reports when an execution of that name exists (a retried hand-over). */
export const EXECUTION_EXISTS_ERROR = 'StepFunctions.ExecutionAlreadyExistsException';

/** Lambda service errors worth retrying with backoff (throttling, cold-start hiccups). */
const LAMBDA_RETRY = [
  {
    ErrorEquals: [
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
    ],
    IntervalSeconds: 2,
    MaxAttempts: 6,
    BackoffRate: 2,
    JitterStrategy: 'FULL',
  },
];

const TASK_TIMEOUT_SECONDS = 300;

interface TaskSpec {
  fn: string;
  payload: Record<string, unknown>;
  /** Fields picked from the function's result (`$.Payload...`), or none to discard it. */
  select?: Record<string, unknown>;
  resultPath?: string;
  next: string;
  catchFailures?: boolean;
}

function lambdaTask({ fn, payload, select, resultPath, next, catchFailures = true }: TaskSpec) {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: fn, Payload: payload },
    ...(select ? { ResultSelector: select, ResultPath: resultPath } : { ResultPath: null }),
    TimeoutSeconds: TASK_TIMEOUT_SECONDS,
    Retry: LAMBDA_RETRY,
    ...(catchFailures ? { Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: STATE.markFailed }] } : {}),
    Next: next,
  };
}

const step = { 'cycleId.$': '$.cycleId', 'stepId.$': '$.next.step.stepId', 'executionId.$': '$$.Execution.Id' };
const more = (path: string) => ({ Variable: path, BooleanEquals: true });
const count = (next: string) => ({
  Type: 'Pass',
  Parameters: { 'name.$': '$.progress.run.name', 'part.$': '$.progress.run.part', 'tasks.$': 'States.MathAdd($.progress.run.tasks, 1)' },
  ResultPath: '$.progress.run',
  Next: next,
});
/** The successor's input: the cycle, and (linked in the console) who started it. */
const successorInput = (extra: Record<string, unknown> = {}) => ({
  'cycleId.$': '$.cycleId',
  'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id',
  ...extra,
});

/**
 * The state machine's definition (Amazon States Language, JSONPath).
 * Execution input: `{ "cycleId": "msr-2021" }`; a successor that continues a
 * milestone also gets `next` (the step) and `progress` (its run and page cursor).
 */
export function buildCycleDefinition(fns: CycleFunctions = CYCLE_SUBSTITUTIONS, options: { maxTasksPerExecution?: number } = {}) {
  const budgetSpent = { Variable: '$.progress.run.tasks', NumericGreaterThanEquals: options.maxTasksPerExecution ?? MAX_TASKS_PER_EXECUTION };
  return {
    Comment: 'One contracting cycle: walks the calendar, one execution per milestone, each handing over to the next.',
    StartAt: STATE.continues,
    States: {
      [STATE.continues]: {
        Type: 'Choice',
        Choices: [
          { And: [{ Variable: '$.progress', IsPresent: true }, more('$.progress.page.more')], Next: STATE.runPage },
          { Variable: '$.progress', IsPresent: true, Next: STATE.send },
        ],
        Default: STATE.load,
      },
      [STATE.load]: lambdaTask({
        fn: fns.nextMilestone,
        payload: { 'cycleId.$': '$.cycleId', 'executionId.$': '$$.Execution.Id', 'executionStartedAt.$': '$$.Execution.StartTime' },
        select: {
          'finished.$': '$.Payload.finished',
          'due.$': '$.Payload.due',
          'waitUntil.$': '$.Payload.waitUntil',
          'step.$': '$.Payload.step',
          'handOver.$': '$.Payload.handOver',
        },
        resultPath: '$.next',
        next: STATE.finished,
        catchFailures: false,
      }),
      [STATE.finished]: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.next.finished', BooleanEquals: true, Next: STATE.complete },
          // This execution has waited long enough: a new one waits on (an execution lives at most a year).
          { Variable: '$.next.handOver', IsString: true, Next: STATE.handOverWait },
        ],
        Default: STATE.wait,
      },
      [STATE.complete]: { Type: 'Succeed' },
      [STATE.wait]: { Type: 'Wait', TimestampPath: '$.next.waitUntil', Next: STATE.due },
      [STATE.due]: {
        Type: 'Choice',
        // Not due yet after a capped wait: re-read, the date may have been amended meanwhile.
        Choices: [{ Variable: '$.next.due', BooleanEquals: true, Next: STATE.markRunning }],
        Default: STATE.load,
      },
      [STATE.markRunning]: lambdaTask({
        fn: fns.recordMilestone,
        payload: { ...step, status: 'running' },
        // Starts the page cursor at the beginning; `name` names this run of the step's successors.
        select: {
          run: { 'name.$': '$.Payload.name', part: 1, tasks: 0 },
          page: { 'cursor.$': '$.Payload.cursor', 'more.$': '$.Payload.more' },
        },
        resultPath: '$.progress',
        next: STATE.runPage,
      }),
      [STATE.runPage]: lambdaTask({
        fn: fns.runMilestone,
        payload: { ...step, 'cursor.$': '$.progress.page.cursor' },
        select: { 'cursor.$': '$.Payload.cursor', 'more.$': '$.Payload.more' },
        resultPath: '$.progress.page',
        next: STATE.morePages,
      }),
      [STATE.morePages]: {
        Type: 'Choice',
        Choices: [
          { And: [more('$.progress.page.more'), budgetSpent], Next: STATE.handOverPart },
          { ...more('$.progress.page.more'), Next: STATE.countPage },
        ],
        Default: STATE.send,
      },
      [STATE.countPage]: count(STATE.runPage),
      [STATE.send]: lambdaTask({
        fn: fns.sendEmails,
        payload: { 'cycleId.$': '$.cycleId' },
        select: { 'more.$': '$.Payload.more' },
        resultPath: '$.sending',
        next: STATE.moreEmails,
      }),
      [STATE.moreEmails]: {
        Type: 'Choice',
        Choices: [
          { And: [more('$.sending.more'), budgetSpent], Next: STATE.handOverPart },
          { ...more('$.sending.more'), Next: STATE.countSend },
        ],
        Default: STATE.markDone,
      },
      [STATE.countSend]: count(STATE.send),
      [STATE.markDone]: lambdaTask({
        fn: fns.recordMilestone,
        payload: { ...step, status: 'done' },
        next: STATE.handOverStep,
      }),
      [STATE.handOverStep]: {
        Type: 'Pass',
        Parameters: { 'name.$': '$.progress.run.name', input: successorInput() },
        ResultPath: '$.successor',
        Next: STATE.startSuccessor,
      },
      [STATE.handOverPart]: {
        Type: 'Pass',
        Parameters: {
          'name.$': "States.Format('{}--{}', $.progress.run.name, States.MathAdd($.progress.run.part, 1))",
          input: successorInput({
            'next.$': '$.next',
            progress: {
              run: { 'name.$': '$.progress.run.name', 'part.$': 'States.MathAdd($.progress.run.part, 1)', tasks: 0 },
              'page.$': '$.progress.page',
            },
          }),
        },
        ResultPath: '$.successor',
        Next: STATE.startSuccessor,
      },
      [STATE.handOverWait]: {
        Type: 'Pass',
        Parameters: { 'name.$': '$.next.handOver', input: successorInput() },
        ResultPath: '$.successor',
        Next: STATE.startSuccessor,
      },
      [STATE.startSuccessor]: {
        Type: 'Task',
        Resource: START_EXECUTION_RESOURCE,
        Parameters: { 'StateMachineArn.$': '$$.StateMachine.Id', 'Name.$': '$.successor.name', 'Input.$': '$.successor.input' },
        ResultSelector: { 'executionArn.$': '$.ExecutionArn' },
        ResultPath: '$.successor.started',
        TimeoutSeconds: 60,
        Retry: [
          { ErrorEquals: [EXECUTION_EXISTS_ERROR], MaxAttempts: 0 },
          { ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, JitterStrategy: 'FULL' },
        ],
        // The successor exists: an earlier attempt of this hand-over started it.
        Catch: [{ ErrorEquals: [EXECUTION_EXISTS_ERROR], ResultPath: null, Next: STATE.handedOver }],
        Next: STATE.handedOver,
      },
      // The output names the successor: `inkoop status` follows the chain through it.
      [STATE.handedOver]: { Type: 'Succeed', OutputPath: '$.successor' },
      [STATE.markFailed]: lambdaTask({
        fn: fns.recordMilestone,
        payload: { ...step, status: 'failed', 'error.$': '$.error' },
        next: STATE.failed,
        catchFailures: false,
      }),
      [STATE.failed]: {
        Type: 'Fail',
        Error: 'MilestoneFailed',
        Cause: 'A milestone failed; see `inkoop status` and re-run it with `inkoop milestone retry`.',
      },
    },
  };
}

export type CycleDefinition = ReturnType<typeof buildCycleDefinition>;
