/**
 * `inkoop contact unreachable` and `inkoop contact correct <agb-code> <contact> <email> --reason "…"`:
 * the providers nobody can reach by email (their addresses bounced or complained, functions/delivery/),
 * and a purchaser's correction of an address, audited; the email of the current step that reached
 * nobody is then sent again to the new address, once.
 */
import type { Command } from 'commander';
import { ValidationError } from '../../commons/errors.ts';
import type { GlobalOptions } from '../operator-context.ts';
import { unreachableText } from '../../operators/text.ts';
import { action, printJson } from '../run.ts';
import { localActor, withOperatorContext } from './load.ts';
import { parseAgb } from './provider.ts';

export function registerContactCommands(program: Command): void {
  const contact = program.command('contact').description("Providers' email contacts: who cannot be reached, and correcting an address.");

  contact
    .command('unreachable')
    .option('--json', 'print the queue as JSON')
    .description('List the providers nobody can be reached at by email ("Niet bereikbaar"), longest first.')
    .action(
      action(async (opts: { json?: boolean }, command: Command) => {
        await withOperatorContext(command.optsWithGlobals<GlobalOptions>(), async ({ service }) => {
          const queue = await service.unreachable();
          if (opts.json) return printJson(queue);
          process.stdout.write(`${unreachableText(queue)}\n`);
        });
      }),
    );

  contact
    .command('correct')
    .argument('<agb-code>', "the provider's AGB code")
    .argument('<contact>', 'the contact: its id (c-…, see inkoop provider) or its current address')
    .argument('<email>', 'the new address')
    .requiredOption('--reason <text>', 'why (who told you, when); kept with the correction')
    .option('--json', 'print the result as JSON')
    .description("Correct a contact's address (purchaser); the email that reached nobody is sent again to it, once.")
    .action(
      action(async (agb: string, who: string, email: string, opts: { reason: string; json?: boolean }, command: Command) => {
        parseAgb(agb);
        const { correctContactSchema } = await import('../../operators/contacts.ts');
        const parsed = correctContactSchema.safeParse({ contact: who, email, reason: opts.reason });
        if (!parsed.success) {
          throw new ValidationError('Invalid correction', parsed.error.issues.map((i) => ({ path: i.path[0] === 'reason' ? '--reason' : `<${String(i.path[0])}>`, message: i.message })));
        }
        await withOperatorContext(command.optsWithGlobals<GlobalOptions>(), async ({ service }) => {
          const result = await service.correctContact(agb, parsed.data, await localActor());
          if (opts.json) return printJson(result);
          process.stdout.write(
            `${agb}: contact ${result.contactId} is now ${result.newContactId} <${parsed.data.email}>` +
              `${result.resolvedEpisode ? '; no longer unreachable' : ''}` +
              `${result.resent ? `; re-sent ${result.resent}` : '; nothing to re-send'}\n`,
          );
        });
      }),
    );
}
