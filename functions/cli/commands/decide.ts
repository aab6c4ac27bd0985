/**
 * `inkoop decide <cycle> <agb-code> eligible|not-eligible --reason "…"`: the
 * purchaser's decision on a new provider's registration, a transition like any
 * other: version-checked and audited with the purchaser as actor. The provider
 * hears it at the cycle's eligibility notification.
 */
import { Argument, type Command } from 'commander';
import { ValidationError } from '../../commons/errors.ts';
import type { GlobalOptions } from '../operator-context.ts';
import { decisionSchema } from '../../operators/decisions.ts';
import { action, printJson } from '../run.ts';
import { localActor, withOperatorContext } from './load.ts';
import { parseAgb } from './provider.ts';

export function registerDecideCommand(program: Command): void {
  program
    .command('decide')
    .argument('<cycle>', 'the cycle id')
    .argument('<agb-code>', 'the provider\'s AGB code')
    .addArgument(new Argument('<decision>', 'the decision').choices(['eligible', 'not-eligible', 'not-contracted']))
    .requiredOption('--reason <text>', 'why (kept in the audit trail; the eligibility email quotes it)')
    .option('--expected-version <n>', 'refuse unless the application is at this version (what you looked at)')
    .option('--signatory-confirmed', 'with eligible: the signatory named on the public registration form may sign (checked in the uploaded KvK extract); until then they cannot')
    .option('--json', 'print the result as JSON')
    .description("Record a purchaser's decision: eligible or not-eligible for a new provider under review (or not-contracted during negotiation).")
    .action(
      action(async (cycle: string, agb: string, decision: string, opts: { reason: string; expectedVersion?: string; signatoryConfirmed?: boolean; json?: boolean }, command: Command) => {
        parseAgb(agb);
        const parsed = decisionSchema.safeParse({ decision, reason: opts.reason, expectedVersion: opts.expectedVersion, signatoryConfirmed: opts.signatoryConfirmed });
        if (!parsed.success) {
          throw new ValidationError('Invalid decision', parsed.error.issues.map((i) => ({ path: `--${String(i.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, message: i.message })));
        }
        await withOperatorContext(command.optsWithGlobals<GlobalOptions>(), async ({ service }) => {
          const result = await service.decide({ cycleId: cycle, agb }, parsed.data, await localActor());
          if (opts.json) return printJson(result);
          process.stdout.write(`${result.agb} (${result.providerName}) in ${result.cycleId} is now ${result.state} (version ${result.version}), decided by ${result.by}: ${result.reason}\n`);
        });
      }),
    );
}
