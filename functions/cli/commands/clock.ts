/**
 * `inkoop clock`: the virtual clock of the local runtime running on the data
 * folder (an `inkoop rehearse --interactive` in another terminal), through its
 * loopback control endpoint (URL and secret in `<data>/runtime.json`).
 *
 *   inkoop clock                      where the clock is, and what wakes up next
 *   inkoop clock advance --to <date>  move it (YYYY-MM-DD: that day's start, Europe/Amsterdam; or an ISO instant)
 *   inkoop clock advance --next-milestone
 *
 * Moving it runs everything due on the way, in order, and returns once the
 * work due at the new time has run.
 */
import type { Command } from 'commander';
import { formatLocalInstant } from '../../calendar/time.ts';
import { ValidationError } from '../../commons/errors.ts';
import { controlRequest, controlStatus, requireRuntime, type ControlStatus } from '../../local/control-client.ts';
import { action, printJson } from '../run.ts';

const describeMode = (mode: unknown): string =>
  typeof mode === 'object' && mode !== null && 'daysPerSecond' in mode ? `speed ${(mode as { daysPerSecond: number }).daysPerSecond} days/s` : String(mode);

function clockText(status: ControlStatus['clock']): string {
  const next = status.nextWakeUp ? `${formatLocalInstant(status.nextWakeUp)} (${status.nextWakeUp})` : 'nothing is waiting';
  return `Virtual time ${formatLocalInstant(status.now)} (${status.now}), mode ${describeMode(status.mode)}; next: ${next}\n`;
}

export function registerClockCommands(program: Command): void {
  const clock = program
    .command('clock')
    .description("The local rehearsal's virtual clock (see `inkoop rehearse --interactive`).")
    .option('--json', 'print as JSON')
    .action(
      action(async (opts: { json?: boolean }, command: Command) => {
        const { data } = command.optsWithGlobals<{ data?: string }>();
        const status = await controlStatus(requireRuntime(data ?? '.local'));
        if (opts.json) printJson(status);
        else process.stdout.write(clockText(status.clock));
      }),
    );

  clock
    .command('advance')
    .description('Move the clock of an interactive rehearsal forward; everything due on the way runs, in order.')
    .option('--to <date>', 'a date (YYYY-MM-DD, start of that day in Europe/Amsterdam) or an ISO instant')
    .option('--next-milestone', 'to the next milestone step')
    .option('--json', 'print as JSON')
    .action(
      action(async (opts: { to?: string; nextMilestone?: boolean; json?: boolean }, command: Command) => {
        if (!!opts.to === !!opts.nextMilestone) throw new ValidationError('Give either --to <date> or --next-milestone');
        const { data } = command.optsWithGlobals<{ data?: string }>();
        const info = requireRuntime(data ?? '.local');
        const result = await controlRequest<{ moved: { from: string; to: string } | null; clock: ControlStatus['clock'] }>(
          info,
          'POST',
          '/clock/advance',
          opts.to ? { to: opts.to } : { nextMilestone: true },
        );
        if (opts.json) return printJson(result);
        if (!result.moved) process.stdout.write('No milestone left: the clock stays where it is.\n');
        else process.stdout.write(`Moved from ${formatLocalInstant(result.moved.from)} to ${formatLocalInstant(result.moved.to)}.\n`);
        process.stdout.write(clockText(result.clock));
      }),
    );
}
