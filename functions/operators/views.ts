/**
 * What the operator tools show, as plain JSON-ready shapes (ISO instants,
 * numbers, strings). The CLI prints them, the API returns them, the dashboard
 * renders them; the remote client (./client.ts) gets the same back.
 */
import type { MilestoneKind } from '../calendar/schema.ts';
import type { TimelinePhase } from '../calendar/timeline.ts';
import type { Actor, ApplicationState, Contact, ContactCorrection, CycleStatus, Delivery, MessageStatus, Reachability, StepStatus, Track, Trigger } from '../domain/index.ts';
import type { ExecutionInfo } from './ports.ts';

export interface StepView {
  stepId: string;
  phase: TimelinePhase;
  localDate: string;
  /** When it runs: ISO UTC, and Europe/Amsterdam ("2020-09-04 09:00 +02:00"). */
  at: string;
  atLocal: string;
  status: StepStatus;
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
  cause?: string;
  /** Rehearsal only: the step could not run (why); it counts as done. */
  skipped?: string;
}

export type MilestoneStatus = StepStatus;

export interface MilestoneView {
  id: string;
  kind: MilestoneKind;
  title: string;
  /** A moment or deadline has `date`; a window `opens` and `closes` (local dates, both included). */
  date?: string;
  opens?: string;
  closes?: string;
  /** The local days it covers, for the timeline: start of the first day, end of the last (epoch ms). */
  from: number;
  to: number;
  /** failed > running > due > done over its steps: a milestone is done when all its steps are. */
  status: MilestoneStatus;
  /** The milestone of the next step to run. */
  next: boolean;
  steps: StepView[];
  /** The failed step's cause, if any. */
  cause?: string;
}

export interface FailedMilestone {
  milestoneId: string;
  title: string;
  stepId: string;
  at: string;
  finishedAt?: string;
  attempts: number;
  cause?: string;
  /** The CLI command that re-runs it. */
  retryCommand: string;
}

export interface WaitingApplication {
  agb: string;
  providerName: string;
  state: ApplicationState;
  version: number;
  stateSince: string;
}

/** Applications that must move before a date: undecided eligibility, unsigned agreements. */
export interface OverdueGroup {
  kind: 'undecided-eligibility' | 'unsigned-agreement';
  /** The milestone they must move before, and when it is (ISO). */
  milestoneId: string;
  title: string;
  due: string;
  dueLocal: string;
  /** Whole days from now until `due` (negative: past). */
  daysLeft: number;
  /** The date has passed and they are still waiting. */
  late: boolean;
  applications: WaitingApplication[];
}

export interface CycleHeader {
  id: string;
  calendarId: string;
  careType: { code: string; name: string };
  regime: 'zvw' | 'wlz';
  contract: { firstYear: number; termYears: number };
  status: CycleStatus;
  startedAt?: string;
  finishedAt?: string;
  cause?: string;
}

export interface CycleStatusView {
  cycle: CycleHeader;
  execution: ExecutionInfo | null;
  /** The clock in use (AWS: system time; rehearsal: virtual time). */
  now: string;
  nowLocal: string;
  milestones: MilestoneView[];
  nextStep: (StepView & { milestoneId: string; title: string }) | null;
  applications: { total: number; byState: Record<ApplicationState, number> };
  emails: { total: number; byStatus: Record<MessageStatus, number> };
  questions: { open: number; answered: number };
  overdue: OverdueGroup[];
  failed: FailedMilestone[];
  /** The cycle is not finished but none of its executions runs: it waits for `inkoop cycle resume`. */
  stalled: StalledView | null;
}

export interface StalledView {
  /** The chain's last execution and how it ended (FAILED, TIMED_OUT, ABORTED, …). */
  execution: string;
  status: string;
  stoppedAt?: string;
  /** The CLI command that resumes the cycle. */
  resumeCommand: string;
}

export interface DecisionQueueView {
  cycleId: string;
  /** The eligibility notification the decisions are due before, if the calendar has one. */
  due: { milestoneId: string; title: string; at: string; atLocal: string; late: boolean } | null;
  applications: WaitingApplication[];
}

export interface EmailView {
  key: string;
  cycleId: string;
  agb?: string;
  template: string;
  status: MessageStatus;
  attempts: number;
  createdAt: string;
  sentAt?: string;
  error?: string;
  /** The milestone step (or provider action) it was sent for, from its key. */
  step: string;
  /** Recipients (operators may see who got what; never logged), each with what SES last reported (functions/delivery/). */
  to: { role: string; name?: string; address: string; delivery?: Delivery }[];
  /** The action link the email carries (never its token). */
  link?: { action: string; expiresAt: string };
}

export interface EmailLogView {
  /** Matching emails, newest first, at most the requested limit. */
  emails: EmailView[];
  /** How many matched in all. */
  total: number;
}

export interface ProviderMatch {
  agb: string;
  name: string;
  careTypes: string[];
}

export interface ProviderHistoryView {
  provider: {
    agb: string;
    kvk: string;
    name: string;
    careTypes: string[];
    contacts: { id: string; name: string; role: string; email: string; undeliverable?: Contact['undeliverable'] }[];
    contracts: { careType: string; firstYear: number; lastYear: number }[];
  } | null;
  applications: {
    cycleId: string;
    track: Track;
    state: ApplicationState;
    version: number;
    stateSince: string;
    events: { version: number; from: ApplicationState | null; to: ApplicationState; trigger: Trigger; actor: Actor; reason?: string; at: string }[];
  }[];
  emails: EmailView[];
  questions: QuestionView[];
  /** Whether anyone at the provider can be reached by email (null: never unreachable). */
  reachability: Reachability | null;
  /** Purchasers' address corrections, oldest first. */
  corrections: ContactCorrection[];
}

/** The "Niet bereikbaar" queue: providers nobody can be reached at by email, longest first. */
export type UnreachableView = Reachability[];

export interface ContactCorrectionResult {
  agb: string;
  contactId: string;
  newContactId: string;
  /** The email queued again to the new address, if one was pending. */
  resent: string | null;
  resolvedEpisode: number | null;
}

export interface QuestionView {
  id: string;
  cycleId: string;
  agb: string;
  kind: 'question' | 'objection';
  text: string;
  askedAt: string;
  status: 'open' | 'answered';
  public: boolean;
  answer?: { text: string; by: string; at: string };
}

export interface ClockView {
  now: string;
  nowLocal: string;
  /** Whether the dashboard may move the clock (interactive rehearsal). */
  canAdvance: boolean;
  nextWakeUp: string | null;
}
