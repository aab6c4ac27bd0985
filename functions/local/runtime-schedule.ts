/**
 * The EventBridge schedules of the synthesized template (`rate(1 minute)` →
 * SendEmails), run on the virtual clock. In AWS the scheduled sender sends what
 * provider actions enqueue between milestone runs (their confirmations). Here a
 * schedule fires at its next tick only when something may be waiting for it
 * (the runtime nudges it after every request to the provider pages or the
 * operator tools); skipped ticks would have found nothing to send, so the result
 * is the same, without half a million invocations per virtual year.
 */
import type { CfnTemplate } from '../../infra/template.ts';
import type { VirtualClock } from '../commons/clock.ts';
import type { VirtualTimeDriver } from './virtual-time.ts';

export interface TemplateSchedule {
  ruleId: string;
  /** Logical id of the target function. */
  functionLogicalId: string;
  periodMs: number;
  /** The target's constant input. */
  input: unknown;
}

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** The rate schedules of a template that target one of its functions. */
export function schedulesFromTemplate(template: CfnTemplate): TemplateSchedule[] {
  const schedules: TemplateSchedule[] = [];
  for (const [ruleId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Events::Rule') continue;
    const props = resource.Properties ?? {};
    const expression = props.ScheduleExpression;
    if (typeof expression !== 'string' || props.State === 'DISABLED') continue;
    const rate = RATE.exec(expression);
    if (!rate) throw new Error(`${ruleId}: schedule ${expression} is not supported locally (only rate(...))`);
    const periodMs = Number(rate[1]) * UNIT_MS[rate[2].replace(/s$/, '')];
    for (const target of (props.Targets ?? []) as { Arn?: unknown; Input?: unknown }[]) {
      const getAtt = (target.Arn as { 'Fn::GetAtt'?: unknown } | undefined)?.['Fn::GetAtt'];
      if (!Array.isArray(getAtt) || typeof getAtt[0] !== 'string') continue;
      if (template.Resources[getAtt[0]]?.Type !== 'AWS::Lambda::Function') continue;
      schedules.push({
        ruleId,
        functionLogicalId: getAtt[0],
        periodMs,
        input: typeof target.Input === 'string' ? JSON.parse(target.Input) : {},
      });
    }
  }
  return schedules;
}

export interface ScheduleRunnerDeps {
  clock: VirtualClock;
  driver: VirtualTimeDriver;
  schedule: TemplateSchedule;
  invoke(input: unknown): Promise<unknown>;
  /** Whether to fire again at the next tick (e.g. the sender said `more`). */
  again?(result: unknown): boolean;
  onError?(error: unknown): void;
}

export class ScheduleRunner {
  private pending: Promise<void> | undefined;
  private readonly lifetime = new AbortController();
  private nudged = false;

  constructor(private readonly deps: ScheduleRunnerDeps) {}

  /** The next tick after now (ticks are whole periods since the epoch, like EventBridge's minutes). */
  nextTick(): number {
    const { periodMs } = this.deps.schedule;
    return (Math.floor(this.deps.clock.now() / periodMs) + 1) * periodMs;
  }

  /** Something may be waiting for the schedule: fire at the next tick. */
  nudge(): void {
    if (this.lifetime.signal.aborted) return;
    if (this.pending) {
      this.nudged = true;
      return;
    }
    const { driver } = this.deps;
    this.pending = driver
      .until(this.nextTick(), { signal: this.lifetime.signal })
      .then(() => driver.busy(() => this.deps.invoke(this.deps.schedule.input)))
      .then(
        (result) => {
          this.pending = undefined;
          const again = this.nudged || (this.deps.again?.(result) ?? false);
          this.nudged = false;
          if (again) this.nudge();
        },
        (error: unknown) => {
          this.pending = undefined;
          if (this.lifetime.signal.aborted) return;
          this.deps.onError?.(error);
        },
      );
  }

  /** Whether a tick is pending. */
  get active(): boolean {
    return this.pending !== undefined;
  }

  async stop(): Promise<void> {
    this.lifetime.abort(new Error('schedule stopped'));
    await this.pending?.catch(() => undefined);
  }
}
