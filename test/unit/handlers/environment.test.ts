/**
 * One environment per function, one source: each handler's schema reads
 * exactly the variables infra/functions.ts gives that function (so the stack
 * sets everything a handler requires, and nothing it ignores), the local
 * runtime's values pass the same schemas, and a missing variable fails the
 * first invocation with an error naming it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import { ConfigurationError } from '../../../functions/commons/errors.ts';
import { readEnv } from '../../../functions/commons/env.ts';
import { deliveryEventsEnv } from '../../../functions/handlers/delivery-events.ts';
import { createNextMilestoneHandler, nextMilestoneEnv } from '../../../functions/handlers/next-milestone.ts';
import { operatorApiEnv } from '../../../functions/handlers/operator-api.ts';
import { providerLinksEnv } from '../../../functions/handlers/provider-links.ts';
import { recordMilestoneEnv } from '../../../functions/handlers/record-milestone.ts';
import { createRunMilestoneHandler, milestoneConfigOf, runMilestoneEnv } from '../../../functions/handlers/run-milestone.ts';
import { sendEmailsEnv } from '../../../functions/handlers/send-emails.ts';
import { localEnvironment } from '../../../functions/local/runtime-handlers.ts';
import { environmentOf, FUNCTIONS, WORKFLOW_FUNCTION_KEYS, type FunctionKey } from '../../../infra/functions.ts';
import { REPO_ROOT } from '../../../infra/paths.ts';

const SCHEMAS = {
  nextMilestone: nextMilestoneEnv,
  recordMilestone: recordMilestoneEnv,
  runMilestone: runMilestoneEnv,
  sendEmails: sendEmailsEnv,
  providerLinks: providerLinksEnv,
  operatorApi: operatorApiEnv,
  deliveryEvents: deliveryEventsEnv,
} satisfies Record<FunctionKey, z.ZodObject>;

const KEYS = Object.keys(FUNCTIONS) as FunctionKey[];

const LOCAL = localEnvironment({
  tableName: 'inkoopkalender',
  sender: 'inkoop@zorgverzekeraar.example',
  sesRatePerSecond: 50,
  linksBaseUrl: 'http://127.0.0.1:4100',
  publicationsUrl: 'http://127.0.0.1:4100/publicaties',
  sendConcurrency: 8,
});

afterEach(() => vi.unstubAllEnvs());

describe('each function has one environment schema, in its handler module', () => {
  it.each(KEYS)('%s: the module infra bundles exports it', async (key) => {
    const module = (await import(`${REPO_ROOT}/${FUNCTIONS[key].entry}`)) as Record<string, unknown>;
    expect(Object.values(module), FUNCTIONS[key].entry).toContain(SCHEMAS[key]);
  });

  it.each(KEYS)('%s: the schema reads exactly the variables infra/functions.ts gives the function', (key) => {
    expect(Object.keys(SCHEMAS[key].shape).sort()).toEqual([...FUNCTIONS[key].environment].sort());
  });
});

describe('the local runtime passes the same variables', () => {
  it.each([...WORKFLOW_FUNCTION_KEYS, 'deliveryEvents'] as FunctionKey[])('%s: its local environment passes the schema', (key) => {
    const env = environmentOf(key, LOCAL);
    expect(Object.keys(env).sort()).toEqual([...FUNCTIONS[key].environment].sort());
    expect(() => readEnv(SCHEMAS[key], env)).not.toThrow();
  });

  it('run-milestone: the settings come from the environment', () => {
    expect(milestoneConfigOf(readEnv(runMilestoneEnv, { ...environmentOf('runMilestone', LOCAL), PAGE_SIZE: '25', PURCHASERS_EMAIL: 'zorginkoop@zv.example' }))).toEqual({
      pageSize: 25,
      linksBaseUrl: 'http://127.0.0.1:4100',
      purchasersEmail: 'zorginkoop@zv.example',
      customerCommunicationEmail: 'klantcommunicatie@zorgverzekeraar.example',
    });
  });
});

describe('reading an environment', () => {
  it('names every missing or blank variable, then every invalid one; values are trimmed', () => {
    const env = environmentOf('runMilestone', LOCAL);
    const error = (() => {
      try {
        readEnv(runMilestoneEnv, { ...env, TABLE_NAME: undefined, LINKS_BASE_URL: '  ' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ message: 'Environment variables TABLE_NAME, LINKS_BASE_URL not set', variables: ['TABLE_NAME', 'LINKS_BASE_URL'] });
    expect(() => readEnv(runMilestoneEnv, { ...env, PAGE_SIZE: '0', PUBLICATIONS_BASE_URL: 'ftp://x' })).toThrow(/^Environment variables PAGE_SIZE, PUBLICATIONS_BASE_URL invalid \(PAGE_SIZE: .*; PUBLICATIONS_BASE_URL: .*\)$/);
    expect(readEnv(runMilestoneEnv, { ...env, PAGE_SIZE: ' 7 ' }).PAGE_SIZE).toBe(7);
  });

  it('no default: a handler without its variables fails its first invocation naming them, then works once they are set', async () => {
    vi.stubEnv('TABLE_NAME', '');
    await expect(createNextMilestoneHandler()({ cycleId: 'msr-2021' })).rejects.toMatchObject({ name: 'ConfigurationError', message: 'Environment variable TABLE_NAME not set' });
    for (const [name, value] of Object.entries(environmentOf('runMilestone', LOCAL))) vi.stubEnv(name, value);
    vi.stubEnv('PUBLICATIONS_BUCKET', undefined);
    await expect(createRunMilestoneHandler()({ cycleId: 'msr-2021', stepId: 'x', cursor: null })).rejects.toThrow('Environment variable PUBLICATIONS_BUCKET not set');
  });
});
