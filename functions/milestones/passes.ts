/**
 * The building blocks of a milestone's work. A step's plan (./plan.ts) is a
 * list of passes; each pass reads one kind of thing a page at a time — the
 * applications of the cycle in one state (gsi1, never a Scan), or the
 * providers of the care type — or runs once (an escalation, a publication).
 *
 * A move pass moves its page in a few transactions (store `transitionMany`),
 * each move with its emails in the same transaction, so a move is never
 * written without its emails. Re-runs: a moved application is no longer in the
 * state a move pass reads, and each message key is queued at most once, so
 * running a pass again moves and queues nothing twice. A recovery pass reads the
 * target state for what this step moved (from `lastTransition` on the
 * application; its last event for applications written before that was kept):
 * to gather them again for a list, and to queue the emails of moves made before
 * moves carried their emails.
 */
import type { Application, MessageInput, Provider, Trigger } from '../domain/model.ts';
import type { ApplicationState } from '../domain/states.ts';
import { recordedTransition, triggerMatches } from '../domain/transitions.ts';
import { isSingleUse, type LinkAction } from '../domain/tokens.ts';
import { mapLimit } from '../store/dynamo.ts';
import type { StepContext } from './context.ts';
import { gather, type Gathered, type Listed } from './cursor.ts';

export interface PassInput {
  cursor: string | null;
  /** Read at most this many items. */
  limit: number;
  /** Lists gathered so far (mutable). */
  gathered: Gathered;
}

export interface PassOutput {
  /** Null when the pass is complete. */
  cursor: string | null;
  /** Applications or providers read. */
  processed: number;
}

export interface Pass {
  name: string;
  run(ctx: StepContext, input: PassInput): Promise<PassOutput>;
}

const SYSTEM = { kind: 'system' } as const;
const CONCURRENCY = 8;

// ---------------------------------------------------------------- pass shapes

export function overApplications(
  name: string,
  state: ApplicationState,
  page: (ctx: StepContext, apps: Application[], gathered: Gathered) => Promise<void>,
): Pass {
  return {
    name,
    async run(ctx, input) {
      const out = await ctx.store.queryApplicationsByState(ctx.cycle.id, state, { limit: input.limit, cursor: input.cursor });
      if (out.items.length) await page(ctx, out.items, input.gathered);
      return { cursor: out.cursor, processed: out.items.length };
    },
  };
}

export function overProviders(name: string, page: (ctx: StepContext, providers: Provider[], gathered: Gathered) => Promise<void>): Pass {
  return {
    name,
    async run(ctx, input) {
      const out = await ctx.store.listProvidersOfCareType(ctx.cycle.careType.code, { limit: input.limit, cursor: input.cursor });
      if (out.items.length) await page(ctx, out.items, input.gathered);
      return { cursor: out.cursor, processed: out.items.length };
    },
  };
}

/** A pass that only runs when `condition` holds at run time (e.g. a deadline not yet passed); the plan's shape stays fixed. */
export function when(condition: (ctx: StepContext) => boolean, pass: Pass): Pass {
  return { name: pass.name, run: async (ctx, input) => (condition(ctx) ? pass.run(ctx, input) : { cursor: null, processed: 0 }) };
}

export function once(name: string, work: (ctx: StepContext, gathered: Gathered) => Promise<void>): Pass {
  return {
    name,
    async run(ctx, input) {
      await work(ctx, input.gathered);
      return { cursor: null, processed: 0 };
    },
  };
}

// ---------------------------------------------------------------- moves

export interface Move {
  from: ApplicationState;
  to: ApplicationState;
  trigger: Trigger;
}

/**
 * Moves a page of applications, several per transaction, each with its emails
 * (built by `email`, from the moved application) in its own move's transaction.
 * Already moved (a re-run, a stale index entry) or refused by the table or a
 * guard: skipped. Lost a race: re-read and tried once more if still applicable.
 * Returns the moved ones (new state), by AGB code.
 */
export async function moveAll(ctx: StepContext, apps: readonly Application[], move: Move, email?: AppEmail): Promise<Application[]> {
  const movable = apps.filter((a) => a.state === move.from);
  if (!movable.length) return [];
  const providers = email ? await ctx.store.getProviders(movable.map((a) => a.agb)) : undefined;
  const templates = new Set<string>();
  const out = await ctx.store.transitionMany(movable, {
    from: move.from,
    to: move.to,
    trigger: move.trigger,
    actor: SYSTEM,
    context: { steps: ctx.steps, providers },
    messages:
      email &&
      ((next) => {
        const messages = messagesOf(ctx, next, providers!.get(next.agb), email);
        for (const m of messages) templates.add(m.template);
        return messages;
      }),
  });
  for (const { application: app, reason } of out.skipped) {
    if (reason === 'refused') ctx.log.info('transition not applicable', { cycleId: ctx.cycle.id, stepId: ctx.step.stepId, agb: app.agb, from: move.from, to: move.to });
  }
  if (templates.size) ctx.log.info('messages queued', { cycleId: ctx.cycle.id, stepId: ctx.step.stepId, templates: [...templates], ...out.messages });
  return [...out.moved].sort((a, b) => a.agb.localeCompare(b.agb));
}

/** Whether this step moved the application into its state (the last transition is this step's move). */
export async function movedByStep(ctx: StepContext, app: Application, move: Pick<Move, 'trigger'> & { from: readonly ApplicationState[] }): Promise<boolean> {
  // Cheap filter first: this step can only move applications once it is due.
  if (Date.parse(app.stateSince) < Date.parse(ctx.step.at) - 3_600_000) return false;
  const last = recordedTransition(app) ?? (await ctx.store.listEvents(app.cycleId, app.agb)).at(-1);
  return !!last && last.to === app.state && last.from !== null && move.from.includes(last.from) && triggerMatches(move.trigger, last.trigger);
}

export async function filterMovedByStep(
  ctx: StepContext,
  apps: readonly Application[],
  move: Pick<Move, 'trigger'> & { from: readonly ApplicationState[] },
): Promise<Application[]> {
  const keep = await mapLimit(apps, CONCURRENCY, (app) => movedByStep(ctx, app, move));
  return apps.filter((_, i) => keep[i]);
}

// ---------------------------------------------------------------- messages

/** The emails of one application (none, one or several). */
export type AppEmail = (ctx: StepContext, app: Application, provider: Provider) => MessageInput | undefined | (MessageInput | undefined)[];

/** The emails of one application; none without a provider profile. */
function messagesOf(ctx: StepContext, app: Application, provider: Provider | undefined, email: AppEmail): MessageInput[] {
  if (!provider) {
    ctx.log.warn('no provider profile: no email', { cycleId: ctx.cycle.id, stepId: ctx.step.stepId, agb: app.agb });
    return [];
  }
  const built = email(ctx, app, provider);
  return (Array.isArray(built) ? built : [built]).filter((m): m is MessageInput => !!m).map((m) => boundTo(app, m));
}

/**
 * A single-use link acts on the version of the application it was decided on
 * (the move's new version: the move and its emails are one transaction), so
 * the sender need not read it (functions/email/sender.ts).
 */
function boundTo(app: Application, message: MessageInput): MessageInput {
  const { link } = message;
  if (!link || message.agb !== app.agb || message.cycleId !== app.cycleId || !isSingleUse(link.action as LinkAction)) return message;
  return { ...message, link: { ...link, version: app.version } };
}

/** Queues the emails of each application (built by `email`); applications without a provider profile get none. */
export async function emailApplications(ctx: StepContext, apps: readonly Application[], email: AppEmail): Promise<void> {
  if (!apps.length) return;
  const providers = await ctx.store.getProviders(apps.map((a) => a.agb));
  await enqueue(ctx, apps.flatMap((app) => messagesOf(ctx, app, providers.get(app.agb), email)));
}

export async function enqueue(ctx: StepContext, messages: readonly MessageInput[]): Promise<void> {
  if (!messages.length) return;
  const { created, existing } = await ctx.store.enqueueMessages(messages);
  const templates = [...new Set(messages.map((m) => m.template))];
  ctx.log.info('messages queued', { cycleId: ctx.cycle.id, stepId: ctx.step.stepId, templates, created, existing });
}

export const listed = (apps: readonly Pick<Application, 'agb' | 'providerName'>[]): Listed[] => apps.map((a) => [a.agb, a.providerName]);

export { gather };
