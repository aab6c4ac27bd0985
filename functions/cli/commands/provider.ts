/** `inkoop provider <agb-code> [--json]`: one provider across all cycles: states, the full audit trail, every email with its status. */
import type { Command } from 'commander';
import { ValidationError } from '../../commons/errors.ts';
import { agbCode } from '../../domain/index.ts';
import { withOperatorContext, type GlobalOptions } from '../../operators/cli-context.ts';
import { providerText } from '../../operators/text.ts';
import { action, printJson } from '../run.ts';

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
    .description('Show one provider across all cycles: current states, the full audit trail, every email with its status, its questions.')
    .action(
      action(async (agb: string, opts: { json?: boolean }, command: Command) => {
        parseAgb(agb);
        await withOperatorContext(command.optsWithGlobals<GlobalOptions>(), async ({ service }) => {
          const history = await service.provider(agb);
          if (opts.json) return printJson(history);
          process.stdout.write(`${providerText(history, agb)}\n`);
        });
      }),
    );
}
