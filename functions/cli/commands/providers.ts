/**
 * `inkoop providers import <file>`: validate a CSV or JSON provider file and
 * write it, all or nothing. The file is checked here first (each bad row named
 * by line and field, nothing sent); the operator service then imports it. With
 * `--aws` a small file goes in the request, a larger one through a presigned
 * upload that the operator API imports all or nothing with the same checks.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { ValidationError } from '../../commons/errors.ts';
import type { ImportRequest } from '../../operators/admin.ts';
import type { GlobalOptions } from '../operator-context.ts';
import type { OperatorService } from '../../operators/service.ts';
import { action, printJson } from '../run.ts';
import { withOperatorContext } from './load.ts';

/** Uploads a large file through the presigned URL the API hands out; returns the key to import. */
async function upload(service: OperatorService, name: string, format: ImportRequest['format'], bytes: Buffer): Promise<string> {
  const { AwsAccessError } = await import('../aws.ts');
  const target = await service.importUpload({ name, format, bytes: bytes.length });
  const response = await fetch(target.url, { method: 'PUT', headers: { ...target.headers, 'content-length': String(bytes.length) }, body: bytes }).catch(
    (error: Error) => {
      throw new AwsAccessError(`Cannot upload ${name} to S3: check your network connection (${error.message})`);
    },
  );
  if (!response.ok) throw new AwsAccessError(`S3 refused the upload of ${name} (${response.status}); the upload URL may have expired, retry the import`);
  return target.key;
}

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
        const { formatOf, parseProviders } = await import('../../providers/import.ts');
        const { INLINE_IMPORT_MAX_BYTES } = await import('../../operators/admin.ts');
        const globals = command.optsWithGlobals<GlobalOptions>();
        const name = basename(file);
        const format = formatOf(file);
        const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
          throw new ValidationError(`Cannot read ${file}: ${error.code ?? error.message}`);
        });
        const text = bytes.toString('utf8');
        parseProviders(text, format, name);
        const report = await withOperatorContext(globals, async ({ service, mode }) => {
          const base = { name, format, ...(opts.dryRun ? { dryRun: true } : {}) };
          if (mode !== 'aws' || bytes.length <= INLINE_IMPORT_MAX_BYTES) return service.importProviders({ ...base, text });
          return service.importProviders({ ...base, upload: await upload(service, name, format, bytes) });
        });
        if (opts.json) printJson(report);
        else {
          const verb = report.dryRun ? 'Would import' : 'Imported';
          process.stdout.write(
            `${verb} ${name}: ${report.providers} providers (${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged)\n`,
          );
        }
      }),
    );
}
