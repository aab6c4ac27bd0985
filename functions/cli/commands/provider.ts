/**
 * `inkoop provider <agb-code> [--json] [--proof [--cycle <id>]]`: one provider across all cycles: states, the
 * full audit trail, every email with its step, recipients and what SES reported (delivered, bounced with the
 * reason). `--proof` prints only the proof of notification: per cycle, every email with its delivery times.
 */
import type { Command } from 'commander';
import { ValidationError } from '../../commons/errors.ts';
import { agbCode } from '../../domain/index.ts';
import type { GlobalOptions } from '../operator-context.ts';
import { proofText, providerText } from '../../operators/text.ts';
import { action, printJson } from '../run.ts';
import { withOperatorContext } from './load.ts';

export function parseAgb(value: string): string {
  if (!agbCode.safeParse(value).success) {
    throw new ValidationError(`Not an AGB code: ${value}`, [{ path: 'agb-code', message: 'an AGB code of 8 digits', found: value }]);
  }
  return value;
}

export function registerProviderCommand(program: Command): void {
  program
    .command('provider')
    .argument('<agb-code>', 'the provider\'s AGB code (8 digits)')
    .option('--json', 'print the history as JSON')
    .option('--proof', 'print the proof of notification: per cycle, every email sent to the provider with its delivery times')
    .option('--cycle <id>', 'with --proof: only this cycle')
    .description('Show one provider across all cycles: current states, the full audit trail, every email with its delivery status, its questions.')
    .action(
      action(async (agb: string, opts: { json?: boolean; proof?: boolean; cycle?: string }, command: Command) => {
        parseAgb(agb);
        if (opts.cycle && !opts.proof) throw new ValidationError('--cycle goes with --proof', [{ path: '--cycle', message: 'only with --proof' }]);
        await withOperatorContext(command.optsWithGlobals<GlobalOptions>(), async ({ service }) => {
          const history = await service.provider(agb);
          if (opts.proof) {
            if (opts.json) return printJson({ agb, emails: history.emails.filter((e) => e.agb === agb && (!opts.cycle || e.cycleId === opts.cycle)) });
            return void process.stdout.write(`${proofText(history, agb, opts.cycle)}\n`);
          }
          if (opts.json) return printJson(history);
          process.stdout.write(`${providerText(history, agb)}\n`);
        });
      }),
    );
}
