/**
 * Routes each Lambda task of the synthesized state machine to the handler the
 * CDK function bundles: the substitution names the function, the function's
 * `inkoop:entry` metadata names the module (infra/synth.ts), and the module's
 * injectable factory is given the local runtime's dependencies instead of the
 * AWS clients its `handler` export would build from the environment. The
 * settings come the AWS way: each function's environment (`localEnvironment`,
 * exactly the variables infra/functions.ts gives it) read with the handler's
 * own schema.
 *
 * A module this runtime does not know how to wire is an error, never a stub.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { z } from 'zod';
import type { Clock, VirtualClock } from '../commons/clock.ts';
import { readEnv, type EnvName } from '../commons/env.ts';
import type { LinkIssuer } from '../links/issue.ts';
import { DEFAULT_CUSTOMER_COMMUNICATION_EMAIL, DEFAULT_PAGE_SIZE, DEFAULT_PURCHASERS_EMAIL } from '../milestones/config.ts';
import type { PublicationStore } from '../publication/store.ts';
import type { RateLimiter } from '../email/rate-limit.ts';
import type { Store } from '../store/index.ts';
import { REPO_ROOT } from '../../infra/paths.ts';
import type { CycleWorkflow, WorkflowFunctionRef } from '../../infra/template.ts';
import { asFunction, functionOfEntry } from './iam-actions.ts';
import { environmentOf, FUNCTIONS, type FunctionKey } from '../../infra/functions.ts';
import type { LambdaHandler } from './step-functions.ts';

export interface LocalHandlerDeps {
  store: Store;
  clock: VirtualClock;
  ses: SESv2Client;
  linkIssuer: LinkIssuer;
  /** Where publications (the contracted-provider list, the Q&A memo) go: `<data>/publications`, served locally. */
  publications: PublicationStore;
  /** The one SES rate every send invocation shares, round-robin between cycles. */
  limiter?: RateLimiter;
  config: {
    tableName: string;
    sender: string;
    sesRatePerSecond: number;
    linksBaseUrl: string;
    /** Where the runtime serves `<data>/publications`. */
    publicationsUrl: string;
    /** Applications per run-milestone invocation. */
    pageSize?: number;
    /** Outbox messages a send invocation works on at once. */
    sendConcurrency: number;
  };
}

type AnyModule = Record<string, unknown>;
type Factory = (module: AnyModule, deps: LocalHandlerDeps, ref: WorkflowFunctionRef) => LambdaHandler;

/**
 * The clock of the rate limiter all send invocations share: it never goes back, moves with real time
 * (tasks take no virtual time) and with the virtual clock's jumps.
 */
export function pacingClock(clock: Clock): Clock {
  let at = clock.now();
  let real = performance.now();
  return {
    now: () => {
      const r = performance.now();
      at = Math.max(clock.now(), at + (r - real));
      real = r;
      return Math.floor(at);
    },
  };
}

/**
 * A clock for code that paces itself in real time (the SES rate limiter): the
 * virtual time plus the real time spent in this invocation. Tasks take no
 * virtual time, so on the virtual clock alone a token bucket never refills.
 */
export function invocationClock(clock: Clock): Clock {
  const virtualStart = clock.now();
  const realStart = performance.now();
  return { now: () => Math.max(clock.now(), virtualStart + Math.floor(performance.now() - realStart)) };
}

const fn = (module: AnyModule, name: string, ref: WorkflowFunctionRef): ((...args: unknown[]) => unknown) => {
  const value = module[name];
  if (typeof value !== 'function') {
    throw new Error(`${ref.entry} has no export ${name}; the local runtime cannot wire ${ref.logicalId}`);
  }
  return value as (...args: unknown[]) => unknown;
};

/** The local SES keeps no configuration sets; the event records it yields carry this name (./ses-events.ts). */
export const LOCAL_CONFIGURATION_SET = 'local';

/**
 * The values the local runtime gives the stack's environment variables. Those
 * naming an AWS resource (the link secret, buckets) name the local stand-in
 * the runtime injects instead.
 */
export function localEnvironment(config: LocalHandlerDeps['config']): Record<EnvName, string> {
  return {
    TABLE_NAME: config.tableName,
    SENDER: config.sender,
    CONFIGURATION_SET: LOCAL_CONFIGURATION_SET,
    SES_RATE_PER_SECOND: String(config.sesRatePerSecond),
    LINK_SECRET_ARN: 'local:<data>/link-key',
    LINKS_BASE_URL: config.linksBaseUrl,
    PAGE_SIZE: String(config.pageSize ?? DEFAULT_PAGE_SIZE),
    PURCHASERS_EMAIL: DEFAULT_PURCHASERS_EMAIL,
    CUSTOMER_COMMUNICATION_EMAIL: DEFAULT_CUSTOMER_COMMUNICATION_EMAIL,
    PUBLICATIONS_BUCKET: 'local:<data>/publications',
    PUBLICATIONS_BASE_URL: config.publicationsUrl,
    DOCUMENTS_BUCKET: 'local:<data>/uploads',
    DOCUMENTS_UPLOAD_PREFIX: 'uploads/',
    STATE_MACHINE_ARN: 'local:cycle',
    OPERATOR_VIEWER_POLICY_ARN: 'local:viewer',
    OPERATOR_PURCHASER_POLICY_ARN: 'local:purchaser',
    OPERATOR_ADMINISTRATOR_POLICY_ARN: 'local:administrator',
  };
}

/** A function's environment as the local runtime gives it, read with the schema its module exports. */
function envOf<T>(module: AnyModule, schemaName: string, key: FunctionKey, ref: WorkflowFunctionRef, deps: LocalHandlerDeps): T {
  const schema = module[schemaName];
  if (!(schema && typeof schema === 'object' && 'shape' in schema)) {
    throw new Error(`${ref.entry} has no export ${schemaName}; the local runtime cannot read ${ref.logicalId}'s environment`);
  }
  return readEnv(schema as z.ZodObject, environmentOf(key, localEnvironment(deps.config))) as T;
}


/** How each handler module is built with local dependencies, by entry. */
export const FACTORIES: Record<string, Factory> = {
  'functions/handlers/next-milestone.ts': (module, deps, ref) => {
    envOf(module, 'nextMilestoneEnv', 'nextMilestone', ref, deps);
    return fn(module, 'createNextMilestoneHandler', ref)({ store: deps.store, clock: deps.clock }) as LambdaHandler;
  },
  'functions/handlers/record-milestone.ts': (module, deps, ref) => {
    envOf(module, 'recordMilestoneEnv', 'recordMilestone', ref, deps);
    return fn(module, 'createRecordMilestoneHandler', ref)({ store: deps.store, clock: deps.clock }) as LambdaHandler;
  },
  'functions/handlers/run-milestone.ts': (module, deps, ref) => {
    const env = envOf(module, 'runMilestoneEnv', 'runMilestone', ref, deps);
    return fn(module, 'createRunMilestoneHandler', ref)({
      store: deps.store,
      clock: deps.clock,
      config: fn(module, 'milestoneConfigOf', ref)(env),
      publications: deps.publications,
    }) as LambdaHandler;
  },
  'functions/handlers/send-emails.ts': (module, deps, ref) => {
    const create = fn(module, 'createSendEmailsHandler', ref);
    const settings = fn(module, 'sendEmailsSettingsOf', ref)(envOf(module, 'sendEmailsEnv', 'sendEmails', ref, deps));
    // A sender per invocation, pacing on this invocation's clock; all of them share the runtime's one rate.
    return (event) =>
      (
        create({
          outbox: deps.store,
          ses: deps.ses,
          clock: invocationClock(deps.clock),
          settings,
          linkIssuer: deps.linkIssuer,
          concurrency: deps.config.sendConcurrency,
          limiter: deps.limiter,
        }) as LambdaHandler
      )(event);
  },
};

/**
 * The DeliveryEvents function (not a workflow task: the stack's EventBridge rule invokes it with SES
 * events), built from the module that function bundles with the local store and clock; its requests are
 * attributed to it, to be checked against its IAM grants.
 */
export async function loadDeliveryEventsHandler(deps: LocalHandlerDeps): Promise<LambdaHandler> {
  const entry = FUNCTIONS.deliveryEvents.entry;
  const module = (await import(pathToFileURL(join(REPO_ROOT, entry)).href)) as AnyModule;
  const ref = { logicalId: FUNCTIONS.deliveryEvents.id, entry, exportName: 'handler' } as WorkflowFunctionRef;
  const env = envOf<{ PURCHASERS_EMAIL: string }>(module, 'deliveryEventsEnv', 'deliveryEvents', ref, deps);
  const handler = fn(module, 'createDeliveryEventsHandler', ref)({ store: deps.store, clock: deps.clock, purchasersEmail: env.PURCHASERS_EMAIL }) as LambdaHandler;
  return (event) => asFunction('deliveryEvents', () => handler(event));
}

/** Imports each workflow function's module and builds its handler; keys are the substitution keys. */
export async function loadWorkflowHandlers(workflow: CycleWorkflow, deps: LocalHandlerDeps): Promise<Record<string, LambdaHandler>> {
  const handlers: Record<string, LambdaHandler> = {};
  for (const [key, ref] of Object.entries(workflow.substitutions)) {
    const factory = FACTORIES[ref.entry];
    if (!factory) throw new Error(`The local runtime does not know how to wire ${ref.entry} (${ref.logicalId}); add it to FACTORIES`);
    const module = (await import(pathToFileURL(join(REPO_ROOT, ref.entry)).href)) as AnyModule;
    const handler = factory(module, deps, ref);
    const functionKey = functionOfEntry(ref.entry);
    if (!functionKey) throw new Error(`${ref.entry} (${ref.logicalId}) is not in infra/functions.ts`);
    // Its requests are attributed to the function, to be checked against its IAM grants.
    handlers[key] = (event) => asFunction(functionKey, () => handler(event));
  }
  return handlers;
}
