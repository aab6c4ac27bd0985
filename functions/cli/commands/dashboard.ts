/**
 * `inkoop dashboard`: the operators' web dashboard on loopback (127.0.0.1 only),
 * behind a random session token in the URL it prints (then a cookie) and CSRF
 * tokens on every POST.
 *
 * Locally it reads the data folder: a running rehearsal's DynamoDB Local,
 * virtual clock and executions (and can advance an interactive one), or the
 * folder's DynamoDB Local when nothing runs. With `--aws` the pages are served
 * here and every read or action is a SigV4-signed request, with your own AWS
 * credentials, to the deployed IAM-authorised operator API.
 */
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { ValidationError } from '../../commons/errors.ts';
import type { OperatorApp } from '../../dashboard/app.ts';
import type { GlobalOptions } from '../operator-context.ts';
import { action } from '../run.ts';

async function openApp(globals: GlobalOptions): Promise<{ app: OperatorApp; close: () => Promise<void>; source: string }> {
  const { openOperatorContext } = await import('../operator-context.ts');
  const { createOperatorApp } = await import('../../dashboard/app.ts');
  const ctx = await openOperatorContext(globals, { refreshMs: 1000 });
  // In AWS mode the pages get the remote service: every read or action is a signed request to the operator API.
  const app = ctx.deps ? createOperatorApp({ ...ctx.deps, mailboxUrl: ctx.mailboxUrl }) : createOperatorApp({ service: ctx.service });
  return { app, close: () => ctx.close(), source: ctx.source };
}

function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  spawn(command, [url], { detached: true, stdio: 'ignore' })
    .on('error', () => process.stderr.write(`could not start ${command}; open the address yourself\n`))
    .unref();
}

export function registerDashboardCommand(program: Command): void {
  program
    .command('dashboard')
    .option('--port <n>', 'listen on this loopback port (default: a free one)')
    .option('--open', 'open the address in your browser')
    .description('Serve the operators\' web dashboard on 127.0.0.1 (locally, or for the deployed stack with --aws).')
    .action(
      action(async (opts: { port?: string; open?: boolean }, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const port = opts.port === undefined ? undefined : Number(opts.port);
        if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) {
          throw new ValidationError(`Not a port: ${opts.port}`, [{ path: '--port', message: 'a port number' }]);
        }
        const { createShutdown } = await import('../../local/process.ts');
        const { serveHandler } = await import('../../http/node-server.ts');
        const shutdown = createShutdown();
        const { app, close, source } = await openApp(globals);
        shutdown.add('data source', close);
        const server = await serveHandler(app, { port, host: '127.0.0.1' });
        shutdown.add('dashboard server', () => server.close());
        const url = app.entryUrl(server.url);
        process.stdout.write(`Dashboard for ${source}:\n  ${url}\n(the address carries this session's token; keep it to yourself. Ctrl-C stops it.)\n`);
        if (opts.open) openBrowser(url);
        await new Promise<void>((resolve) => shutdown.signal.addEventListener('abort', () => resolve(), { once: true }));
      }),
    );
}
