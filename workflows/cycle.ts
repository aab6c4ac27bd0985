/**
 * The cycle workflow: one execution per contracting cycle walks its calendar.
 *
 *   Load the next milestone → (finished? → done)
 *   → Wait until it is due (at most one day, then re-read: an amended date is followed)
 *   → Mark it running → Run it page by page → Send its emails → Mark it done → loop.
 *
 * A failing milestone is recorded as failed (with its cause) and the execution
 * fails, which raises the failed-executions alarm; `inkoop milestone retry` starts
 * a new execution that resumes at that milestone. Emails are never doubled: the
 * outbox key of each message is its idempotency key.
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
} as const;

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
  select?: Record<string, string>;
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

/**
 * The state machine's definition (Amazon States Language, JSONPath).
 * Execution input: `{ "cycleId": "msr-2021" }`.
 */
export function buildCycleDefinition(fns: CycleFunctions = CYCLE_SUBSTITUTIONS) {
  return {
    Comment: 'One contracting cycle: walks the calendar and runs each milestone when it is due.',
    StartAt: STATE.load,
    States: {
      [STATE.load]: lambdaTask({
        fn: fns.nextMilestone,
        payload: { 'cycleId.$': '$.cycleId' },
        select: {
          'finished.$': '$.Payload.finished',
          'due.$': '$.Payload.due',
          'waitUntil.$': '$.Payload.waitUntil',
          'step.$': '$.Payload.step',
        },
        resultPath: '$.next',
        next: STATE.finished,
        catchFailures: false,
      }),
      [STATE.finished]: {
        Type: 'Choice',
        Choices: [{ Variable: '$.next.finished', BooleanEquals: true, Next: STATE.complete }],
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
        // Starts the page cursor at the beginning.
        select: { 'cursor.$': '$.Payload.cursor', 'more.$': '$.Payload.more' },
        resultPath: '$.page',
        next: STATE.runPage,
      }),
      [STATE.runPage]: lambdaTask({
        fn: fns.runMilestone,
        payload: { ...step, 'cursor.$': '$.page.cursor' },
        select: { 'cursor.$': '$.Payload.cursor', 'more.$': '$.Payload.more' },
        resultPath: '$.page',
        next: STATE.morePages,
      }),
      [STATE.morePages]: {
        Type: 'Choice',
        Choices: [{ Variable: '$.page.more', BooleanEquals: true, Next: STATE.runPage }],
        Default: STATE.send,
      },
      [STATE.send]: lambdaTask({
        fn: fns.sendEmails,
        payload: { 'cycleId.$': '$.cycleId' },
        select: { 'more.$': '$.Payload.more' },
        resultPath: '$.sending',
        next: STATE.moreEmails,
      }),
      [STATE.moreEmails]: {
        Type: 'Choice',
        Choices: [{ Variable: '$.sending.more', BooleanEquals: true, Next: STATE.send }],
        Default: STATE.markDone,
      },
      [STATE.markDone]: lambdaTask({
        fn: fns.recordMilestone,
        payload: { ...step, status: 'done' },
        next: STATE.load,
      }),
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
