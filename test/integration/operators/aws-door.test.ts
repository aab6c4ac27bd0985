/**
 * `inkoop --aws` end to end through the one door: the real CLI (a child
 * process, credentials from the environment as the standard chain reads them)
 * against the operator API handler served locally behind a stand-in for API
 * Gateway's IAM authoriser that checks each SigV4 signature for real, over
 * DynamoDB Local. A purchaser's decision lands in the audit trail with the
 * signed principal as its actor; a viewer's is refused naming the role.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { calendarSchema } from '../../../functions/calendar/schema.ts';
import { buildTimeline } from '../../../functions/calendar/timeline.ts';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { createCycleFromCalendar, triggers } from '../../../functions/domain/index.ts';
import { createOperatorApiHandler, iamCaller } from '../../../functions/handlers/operator-api.ts';
import { serveHandler, type RunningServer } from '../../../functions/http/node-server.ts';
import { adminPort } from '../../../functions/operators/admin.ts';
import { noExecutions } from '../../../functions/operators/ports.ts';
import { createOperatorService } from '../../../functions/operators/service.ts';
import type { Store } from '../../../functions/store/index.ts';
import { iamGateway } from '../../support/iam-gateway.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { aProviderContent, actors } from '../../support/factories.ts';

const ROOT = join(import.meta.dirname, '../../..');
const MSR = calendarSchema.parse(JSON.parse(readFileSync(join(ROOT, 'workflows/calendars/msr-2021.json'), 'utf8')));
const CYCLE = MSR.id;
const ACCOUNT = '123456789012';
const PURCHASER = { accessKeyId: 'ASIATESTPURCHASER01', secretAccessKey: 'purchaser/secret+key', sessionToken: 'purchaser-session' };
const VIEWER = { accessKeyId: 'ASIATESTVIEWER00001', secretAccessKey: 'viewer/secret+key', sessionToken: 'viewer-session' };
const PURCHASER_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/InkoopPurchaser/anna@zorgverzekeraar.nl`;
const KNOWN = {
  [PURCHASER.accessKeyId]: { secretAccessKey: PURCHASER.secretAccessKey, sessionToken: PURCHASER.sessionToken, arn: PURCHASER_ARN, accountId: ACCOUNT, role: 'purchaser' as const },
  [VIEWER.accessKeyId]: { secretAccessKey: VIEWER.secretAccessKey, sessionToken: VIEWER.sessionToken, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/InkoopViewer/piet`, accountId: ACCOUNT, role: 'viewer' as const },
};

const local = useDynamoDbLocal();
let store: Store;
let server: RunningServer;
let newcomer: string;

beforeEach(async () => {
  const clock = new VirtualClock('2020-06-01T10:00:00Z');
  store = await local.freshStore(clock);
  const { cycle, steps } = createCycleFromCalendar(MSR, { steps: buildTimeline(MSR), clock });
  await store.putCycle({ ...cycle, status: 'running' });
  await store.putSteps(CYCLE, steps);
  const provider = aProviderContent({ name: 'Revalidatie Oost', careTypes: ['msr'] });
  await store.putProvider(provider);
  newcomer = provider.agb;
  await store.createApplication({ cycleId: CYCLE, agb: newcomer, track: 'new', providerName: provider.name, trigger: triggers.operator('register'), actor: actors.operator });
  await store.transition(CYCLE, newcomer, { trigger: triggers.provider('submit-registration'), actor: actors.provider(newcomer) });
  clock.advanceTo('2020-07-01T22:00:00Z');
  await store.transition(CYCLE, newcomer, { trigger: triggers.milestone('registration-window', 'closes'), actor: actors.system });

  const service = createOperatorService({ store, clock, executions: noExecutions, admin: adminPort({ store, clock }) });
  // The handler's own role check reads the same roles the stand-in's IAM applies.
  const lambda = createOperatorApiHandler({ service, identify: iamCaller(async (arn) => Object.values(KNOWN).find((k) => k.arn === arn)?.role) });
  server = await serveHandler(iamGateway(lambda, { region: 'eu-west-1', known: KNOWN }));
}, 60_000);

afterEach(async () => {
  await server?.close();
});

async function inkoop(key: { accessKeyId: string; secretAccessKey: string; sessionToken: string }, ...args: string[]) {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    LOG_LEVEL: 'SILENT',
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    AWS_SESSION_TOKEN: key.sessionToken,
    AWS_REGION: 'eu-west-1',
    AWS_CONFIG_FILE: join(ROOT, 'no-such-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(ROOT, 'no-such-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    INKOOP_OPERATOR_API_URL: `${server.url}/`,
  };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'functions/cli/main.ts', '--aws', ...args], { cwd: ROOT, env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('inkoop --aws through the operator API', () => {
  it("a purchaser's decision is recorded with the signed IAM principal; a viewer's is refused, naming the role", async () => {
    const viewer = await inkoop(VIEWER, 'decide', CYCLE, newcomer, 'eligible', '--reason', 'Ik mag dit niet');
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toBe(
      'error: To decide (inkoop decide) you need the purchaser role: ask an administrator of the AWS account to attach the managed policy in stack output OperatorPurchaserPolicyArn to your IAM role or user\n',
    );
    expect((await store.getApplication(CYCLE, newcomer))?.state).toBe('under-review');

    const decided = await inkoop(PURCHASER, 'decide', CYCLE, newcomer, 'eligible', '--reason', 'Voldoet aan de kwaliteitseisen', '--json');
    expect(decided.stderr).toBe('');
    expect(decided.code).toBe(0);
    expect(JSON.parse(decided.stdout)).toMatchObject({ agb: newcomer, state: 'eligible', by: PURCHASER_ARN });

    const events = await store.listEvents(CYCLE, newcomer);
    expect(events.at(-1)).toMatchObject({ to: 'eligible', actor: { kind: 'purchaser', id: PURCHASER_ARN }, reason: 'Voldoet aan de kwaliteitseisen' });
  }, 300_000);

  it('a request whose signature does not match is refused before the API runs', async () => {
    const forged = await inkoop({ ...PURCHASER, secretAccessKey: 'not-the-secret' }, 'status', CYCLE);
    expect(forged.code).toBe(1);
    expect(forged.stderr).toMatch(/^error: The operator API refused your AWS credentials: The request signature we calculated does not match/);
    expect(forged.stderr.trimEnd().split('\n')).toHaveLength(1);
  }, 300_000);
});
