/**
 * Progress of a rehearsal as it runs: on a terminal, one bar per milestone
 * (its steps done, the emails it sent, the virtual moment it is at) under a bar
 * for the year; elsewhere (CI, a pipe) one plain line per finished step.
 * Fed by the workflow's events; email counts come from the mailbox.
 */
import cliProgress from 'cli-progress';
import type { Calendar } from '../../calendar/schema.ts';
import { formatLocalInstant } from '../../calendar/time.ts';
import type { Step } from '../../domain/index.ts';
import { STATE } from '../../../workflows/cycle.ts';
import type { RunEvent } from '../step-functions.ts';

export interface StepRef {
  stepId: string;
  milestoneId: string;
  at: string;
}

export interface ProgressOptions {
  calendar: Calendar;
  steps: readonly Step[];
  /** Emails in the mailbox now. */
  mailboxSize(): number;
  /** Virtual now. */
  now(): number;
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  mode: 'bars' | 'lines' | 'none';
  /** Before each line (several cycles at once: the cycle). */
  label?: string;
}

export interface StepTiming {
  stepId: string;
  milestoneId: string;
  at: string;
  durationMs: number;
  emails: number;
}

export interface Progress {
  onRunEvent(event: RunEvent): void;
  /** A step finished (from the workflow's events). */
  onStepDone?: (timing: StepTiming) => void;
  /** Prints a line above the bars (or plainly). */
  log(line: string): void;
  stop(): void;
}

/** The step a workflow state works on, from the state's input. */
export function stepOfInput(input: unknown): StepRef | undefined {
  const step = (input as { next?: { step?: StepRef | null } } | null)?.next?.step;
  return step && typeof step.stepId === 'string' ? step : undefined;
}

export function createProgress(options: ProgressOptions, onStepDone: (t: StepTiming) => void): Progress {
  const { calendar, steps } = options;
  const running = new Map<string, { started: number; mailbox: number }>();
  const stepsOf = new Map<string, number>();
  for (const s of steps) stepsOf.set(s.milestoneId, (stepsOf.get(s.milestoneId) ?? 0) + 1);
  const doneOf = new Map<string, number>();
  for (const s of steps) if (s.status === 'done') doneOf.set(s.milestoneId, (doneOf.get(s.milestoneId) ?? 0) + 1);
  const emailsOf = new Map<string, number>();
  const first = steps.length ? Date.parse(steps[0].at) : options.now();
  const last = steps.length ? Date.parse(steps.at(-1)!.at) : options.now();
  const days = Math.max(1, Math.ceil((last - first) / 86_400_000));

  let multi: cliProgress.MultiBar | undefined;
  let year: cliProgress.SingleBar | undefined;
  const bars = new Map<string, cliProgress.SingleBar>();
  let timer: NodeJS.Timeout | undefined;
  const width = Math.max(...calendar.milestones.map((m) => m.id.length), 4);

  if (options.mode === 'bars') {
    multi = new cliProgress.MultiBar(
      {
        stream: options.stream,
        format: '{name} {bar} {value}/{total} steps | {status}',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        fps: 8,
        forceRedraw: false,
        autopadding: true,
      },
      cliProgress.Presets.shades_classic,
    );
    year = multi.create(days, 0, { name: 'year'.padEnd(width), status: formatLocalInstant(new Date(options.now()).toISOString()) }, { format: '{name} {bar} {value}/{total} days | {status}' });
    for (const m of calendar.milestones) {
      const total = stepsOf.get(m.id) ?? 0;
      if (!total) continue;
      bars.set(m.id, multi.create(total, doneOf.get(m.id) ?? 0, { name: m.id.padEnd(width), status: doneOf.get(m.id) === total ? 'done' : 'waiting' }));
    }
    timer = setInterval(() => {
      const now = options.now();
      year?.update(Math.min(days, Math.max(0, Math.floor((now - first) / 86_400_000))), { status: formatLocalInstant(new Date(now).toISOString()) });
      for (const [stepId, r] of running) {
        const milestoneId = steps.find((s) => s.stepId === stepId)?.milestoneId;
        const bar = milestoneId ? bars.get(milestoneId) : undefined;
        const sent = (emailsOf.get(milestoneId ?? '') ?? 0) + options.mailboxSize() - r.mailbox;
        bar?.update({ status: `running ${stepId.split('#')[1]} · ${sent} emails` });
      }
    }, 250);
    timer.unref();
  }

  const log = (line: string): void => {
    if (multi) multi.log(`${line}\n`);
    else if (options.mode !== 'none') options.stream.write(`${line}\n`);
  };

  return {
    log,
    onRunEvent(event) {
      if (event.type === 'stateEntered' && event.state === STATE.markRunning) {
        const step = stepOfInput(event.input);
        if (step) running.set(step.stepId, { started: performance.now(), mailbox: options.mailboxSize() });
      }
      if (event.type === 'stateExited' && event.state === STATE.markDone) {
        const step = stepOfInput(event.output);
        const r = step && running.get(step.stepId);
        if (!step || !r) return;
        running.delete(step.stepId);
        const timing: StepTiming = {
          stepId: step.stepId,
          milestoneId: step.milestoneId,
          at: step.at,
          durationMs: performance.now() - r.started,
          emails: options.mailboxSize() - r.mailbox,
        };
        onStepDone(timing);
        doneOf.set(step.milestoneId, (doneOf.get(step.milestoneId) ?? 0) + 1);
        emailsOf.set(step.milestoneId, (emailsOf.get(step.milestoneId) ?? 0) + timing.emails);
        const bar = bars.get(step.milestoneId);
        if (bar) {
          const total = stepsOf.get(step.milestoneId) ?? 0;
          const done = doneOf.get(step.milestoneId) ?? 0;
          bar.update(done, { status: `${done >= total ? 'done' : 'waiting'} · ${emailsOf.get(step.milestoneId)} emails` });
        }
        if (options.mode === 'lines') {
          options.stream.write(
            `${options.label ? `${options.label} ` : ''}[${formatLocalInstant(step.at)}] ${step.stepId} done in ${(timing.durationMs / 1000).toFixed(1)} s, ${timing.emails} emails${options.label ? ' (all cycles meanwhile)' : ''}\n`,
          );
        }
      }
    },
    stop() {
      if (timer) clearInterval(timer);
      if (year) year.update(days, { status: formatLocalInstant(new Date(options.now()).toISOString()) });
      multi?.stop();
    },
  };
}
