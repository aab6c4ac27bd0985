/**
 * Input and output of the workflow's Lambda tasks (workflows/cycle.ts). The
 * state machine passes exactly these shapes; handlers parse them with zod.
 */
import { z } from 'zod';

export const nextMilestoneInput = z.object({
  cycleId: z.string().min(1),
  /** `$$.Execution.Id`: the cycle records the execution it is on (operators follow the chain). */
  executionId: z.string().optional(),
  /** `$$.Execution.StartTime`: an execution that has waited long enough hands the wait over. */
  executionStartedAt: z.string().optional(),
});
export type NextMilestoneInput = z.infer<typeof nextMilestoneInput>;

export const stepRef = z.object({
  stepId: z.string(),
  milestoneId: z.string(),
  kind: z.string(),
  phase: z.string(),
  at: z.string(),
});
export type StepRef = z.infer<typeof stepRef>;

/**
 * `waitUntil` is the step's instant, capped at one day from now so amended dates are picked up.
 * `handOver`: the name of the execution that waits on in this one's place, or null.
 */
export const nextMilestoneOutput = z.object({
  finished: z.boolean(),
  due: z.boolean(),
  waitUntil: z.string(),
  step: stepRef.nullable(),
  handOver: z.string().nullable(),
});
export type NextMilestoneOutput = z.infer<typeof nextMilestoneOutput>;

const stepTaskBase = z.object({
  cycleId: z.string().min(1),
  stepId: z.string().min(1),
  executionId: z.string().optional(),
});

export const recordMilestoneInput = z.discriminatedUnion('status', [
  stepTaskBase.extend({ status: z.literal('running') }),
  stepTaskBase.extend({ status: z.literal('done') }),
  stepTaskBase.extend({
    status: z.literal('failed'),
    error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).passthrough(),
  }),
]);
export type RecordMilestoneInput = z.infer<typeof recordMilestoneInput>;
/**
 * For `running`, the page cursor to start from (null: the beginning) and `name`, the
 * execution name this run of the step hands over to (its parts append `--<n>`).
 */
export const recordMilestoneOutput = z.object({ cursor: z.string().nullable(), more: z.boolean(), name: z.string().optional() });
export type RecordMilestoneOutput = z.infer<typeof recordMilestoneOutput>;

export const runMilestoneInput = stepTaskBase.extend({ cursor: z.string().nullable() });
export type RunMilestoneInput = z.infer<typeof runMilestoneInput>;
export const runMilestoneOutput = z.object({
  cursor: z.string().nullable(),
  more: z.boolean(),
  processed: z.number().int().nonnegative().optional(),
});
export type RunMilestoneOutput = z.infer<typeof runMilestoneOutput>;

export const sendEmailsInput = z.object({ cycleId: z.string().optional() }).passthrough();
export type SendEmailsInput = z.infer<typeof sendEmailsInput>;
export const sendEmailsOutput = z.object({ sent: z.number().int(), failed: z.number().int(), more: z.boolean() });
export type SendEmailsOutput = z.infer<typeof sendEmailsOutput>;
