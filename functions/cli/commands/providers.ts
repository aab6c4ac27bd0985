/** `inkoop providers import <file>`: validate a CSV or JSON provider file and write it, all or nothing. */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { ValidationError } from '../../commons/errors.ts';
import { formatOf, parseProviders } from '../../providers/import.ts';
import { importProviders } from '../../providers/write.ts';
import { withStore } from '../context.ts';
import { action, printJson } from '../run.ts';

export function registerProviderCommands(program: Command): void {
  const providers = program.command('providers').description('Providers (zorgaanbieders) and their contacts.');
  providers
    .command('import <file>')
    .description(
      'Import providers from a .csv (agb,kvk,name,careTypes,contactName,contactEmail,contactRole[,contracts]; one row per contact) ' +
        'or .json file. Every row is validated first; one bad row and nothing is imported. Re-importing the same file changes nothing.',
    )
    .option('--json', 'print the report as JSON')
    .option('--dry-run', 'validate and report what would change, write nothing')
    .action(
      action(async (file: string, opts: { json?: boolean; dryRun?: boolean }, command: Command) => {
        const globals = command.optsWithGlobals<{ aws?: boolean; data?: string }>();
        const name = basename(file);
        const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
          throw new ValidationError(`Cannot read ${file}: ${error.code ?? error.message}`);
        });
        const parsed = parseProviders(text, formatOf(file), name);
        const report = await withStore({ aws: globals.aws, data: globals.data }, (store) =>
          importProviders(store, parsed, { dryRun: opts.dryRun }),
        );
        if (opts.json) printJson({ file: name, ...report });
        else {
          const verb = report.dryRun ? 'Would import' : 'Imported';
          process.stdout.write(
            `${verb} ${name}: ${report.providers} providers (${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged)\n`,
          );
        }
      }),
    );
}
