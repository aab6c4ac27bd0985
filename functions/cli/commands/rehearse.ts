/**
 * `inkoop rehearse`: one contracting year on the local runtime, with a
 * simulated provider population, ending in a report. `npm start` is
 * `inkoop rehearse --calendar msr-2021 --providers 200 --seed 1 --serve`.
 */
import type { Command } from 'commander';
import { ValidationError } from '../../commons/errors.ts';
import type { LaunchedDatabase } from '../../local/database-launch.ts';
import type { LocalRuntime } from '../../local/runtime.ts';
import type { ClockMode } from '../../local/virtual-time.ts';
import { action, printJson } from '../run.ts';

interface RehearseFlags {
  calendar?: string;
  providers?: string;
  seed?: string;
  unreachable?: string;
  json?: boolean;
  serve?: boolean;
  fast?: boolean;
  speed?: string;
  interactive?: boolean;
  resume?: boolean;
  sesFaults?: string;
}

export function clockMode(flags: Pick<RehearseFlags, 'fast' | 'speed' | 'interactive'>): ClockMode {
  const chosen = [flags.fast, flags.speed !== undefined, flags.interactive].filter(Boolean).length;
  if (chosen > 1) throw new ValidationError('Choose one of --fast, --speed <days-per-second> and --interactive');
  if (flags.interactive) return 'interactive';
  if (flags.speed !== undefined) {
    const daysPerSecond = Number(flags.speed);
    if (!(Number.isFinite(daysPerSecond) && daysPerSecond > 0)) {
      throw new ValidationError(`--speed takes a number of days per second, e.g. --speed 30 (got ${flags.speed})`);
    }
    return { daysPerSecond };
  }
  return 'fast';
}

function addresses(runtime: LocalRuntime, cycleIds: readonly string[]): string {
  return [
    `  Mailbox (every email sent):     ${runtime.urls.mailbox}`,
    `  Provider pages (the links):     ${runtime.urls.links}`,
    ...cycleIds.map((id) => `  Registration form${cycleIds.length > 1 ? ` ${id}` : ' (new ones)'}:${' '.repeat(Math.max(1, cycleIds.length > 1 ? 14 - id.length : 3))}${runtime.urls.registration(id)}`),
    `  Operators' dashboard:           ${runtime.urls.dashboard}`,
    `  Publications:                   ${runtime.urls.publications}`,
  ].join('\n');
}

export function registerRehearseCommand(program: Command): void {
  program
    .command('rehearse')
    .description(
      'Rehearse a whole contracting year on one machine: DynamoDB Local, a local SES, the synthesized state machine ' +
        'with the real handlers, and a simulated provider population acting through the provider pages.',
    )
    .option('--calendar <file|id,...>', 'the calendar (a file, or an id in workflows/calendars, e.g. msr-2021); several at once, comma-separated: msr-2021,zvt-2021,wlz-2021')
    .option('--providers <n>', 'size of the simulated provider population', '200')
    .option('--seed <s>', 'seed of the simulation (same seed, same year)', '1')
    .option('--unreachable <share>', 'share (0..1) of known providers whose every address bounces or complains (SES mailbox simulator addresses)', '0')
    .option('--json', 'print the report as JSON (progress goes to stderr)')
    .option('--serve', 'keep the mailbox, provider pages and dashboard open after the year, until Ctrl-C')
    .option('--fast', 'skip every wait: the clock jumps to the next moment anything happens (default)')
    .option('--speed <days-per-second>', 'let virtual time pass at this many days per real second')
    .option('--interactive', 'the clock stands still; move it with `inkoop clock advance` or the dashboard')
    .option('--resume', 'continue the rehearsal stopped in the data folder (its calendar, providers and seed)')
    .option('--ses-faults <rate>', 'the local SES answers this share of sends with throttling (429) or unavailable (503), e.g. 0.2')
    .action(
      action(async (flags: RehearseFlags, command: Command) => {
        const globals = command.optsWithGlobals<{ data?: string; aws?: boolean }>();
        if (globals.aws) throw new ValidationError('A rehearsal runs locally; leave out --aws');
        const mode = clockMode(flags);
        const fromSource = (name: string) => command.getOptionValueSource(name) === 'cli';
        const sesFaults = flags.sesFaults === undefined ? undefined : Number(flags.sesFaults);
        if (sesFaults !== undefined && !(sesFaults >= 0 && sesFaults < 1)) {
          throw new ValidationError(`--ses-faults takes a share of sends in [0, 1), e.g. --ses-faults 0.2 (got ${flags.sesFaults})`);
        }
        const { createShutdown } = await import('../../local/process.ts');
        const shutdown = createShutdown();
        // DynamoDB Local's JVM takes seconds to start: a fresh rehearsal launches it first (that needs no AWS SDK),
        // so it starts on the other core while this process loads the rest.
        let database: LaunchedDatabase | undefined;
        try {
          const { launchFreshDatabase } = await import('../../local/database-launch.ts');
          database = flags.resume ? undefined : await launchFreshDatabase();
          // Kept by the runtime once it starts; until then, or if it never does, it is thrown away.
          const launched = database;
          if (launched) shutdown.add('DynamoDB Local (launched)', () => launched.discard());
          const { CRASH_ENV, parseCrashPoint } = await import('../../local/crash-points.ts');
          const { formatReport, formatYearReport } = await import('../../local/rehearsal/report.ts');
          const { rehearse } = await import('../../local/rehearsal/rehearse.ts');
          const stream = process.stderr;
          const progress = stream.isTTY ? 'bars' : 'lines';
          // The crash tests' fault injection (functions/local/crash-points.ts); never set in normal use.
          const crashAt = parseCrashPoint(process.env[CRASH_ENV]);
          const result = await rehearse({
            calendar: flags.calendar,
            providers: flags.resume && !fromSource('providers') ? undefined : Number(flags.providers),
            seed: flags.resume && !fromSource('seed') ? undefined : flags.seed,
            unreachableShare: flags.resume && !fromSource('unreachable') ? undefined : Number(flags.unreachable),
            dataDir: globals.data ?? '.local',
            mode,
            resume: flags.resume,
            serve: flags.serve,
            progress,
            stream,
            shutdown,
            runtime: { crashAt, sesFaults, database },
            onStarted(runtime, { calendars, population, year, resumed }) {
              const shared = year.roles.filter((r) => r.second).length;
              stream.write(
                `${resumed ? 'Resuming' : 'Rehearsing'} ${calendars.map((c) => c.id).join(', ')} with ${population.providers.length} providers ` +
                  `${calendars.length > 1 ? `(${shared} of them in a second cycle) ` : ''}(seed ${population.seed}), ` +
                  `data in ${runtime.dataDir}\n${addresses(runtime, year.calendarIds)}\n`,
              );
              if (mode === 'interactive') {
                stream.write('  The clock stands still: `inkoop clock advance --next-milestone` (or --to <date>), or the dashboard, moves it.\n');
              }
            },
          });
          if (result.stopped) return;
          if (result.yearReport) {
            if (flags.json) printJson(result.yearReport);
            else process.stdout.write(formatYearReport(result.yearReport));
            if (result.yearReport.cycles.some((c) => c.failure) || result.yearReport.aws.limitsCrossed.length) process.exitCode = 1;
          } else if (result.report) {
            if (flags.json) printJson(result.report);
            else process.stdout.write(formatReport(result.report));
            // A failed milestone, or an execution that would cross a Step Functions limit in AWS (the report names it).
            if (result.report.failure || result.report.aws.limitsCrossed.length) process.exitCode = 1;
          } else return;
          if (result.runtime) {
            stream.write(`\nThe year is done. Open:\n${addresses(result.runtime, result.year.calendarIds)}\nCtrl-C stops everything.\n`);
            const { runtime } = result;
            await new Promise<void>((resolve, reject) => {
              shutdown.signal.addEventListener('abort', () => resolve(), { once: true });
              runtime.onFailure(reject); // its database went away: one error, and out
            });
          }
        } finally {
          await database?.discard();
          if (!shutdown.signal.aborted) shutdown.dispose();
        }
      }),
    );
}
