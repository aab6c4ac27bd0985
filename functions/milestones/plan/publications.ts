/** Publications besides the contracted list: the Q&A memo and next year's dates. */
import { calendarToIcs } from '../../calendar/ics.ts';
import { NextCycleMissingError } from '../errors.ts';
import type { Application, Cycle } from '../../domain/model.ts';
import { icsVersion } from '../../domain/cycle.ts';
import { invitationFor } from '../../domain/provider.ts';
import { publishQaMemo, QA_MEMO_FILE } from '../../publication/qa-memo.ts';
import type { StepContext } from '../context.ts';
import { audiencePasses } from '../audience.ts';
import { providerMessage } from '../messages.ts';
import { enqueue, once, overProviders, type Pass } from '../passes.ts';
import { now, keyDates } from './step.ts';
import { LISTED_STATES } from './contracting.ts';

export function qaMemo(): Pass[] {
  const path = (ctx: StepContext) => `${ctx.cycle.id}/${QA_MEMO_FILE}`;
  return [
    once('publish the Q&A memo', async (ctx) => {
      const questions = await ctx.store.listQuestions(ctx.cycle.id, { publicOnly: true });
      await publishQaMemo(ctx.publications, { cycle: ctx.cycle, questions, now: now(ctx) });
    }),
    ...audiencePasses('Q&A memo', (ctx, provider) =>
      providerMessage(ctx, provider, 'qa-memo-published', { actionUrl: ctx.publications.urlOf(path(ctx)) }),
    ),
  ];
}

/** The cycle of the same care type whose contract starts in `year`, if created. */
async function cycleFor(ctx: StepContext, year: number): Promise<Cycle | undefined> {
  return (await ctx.store.listCycles()).find((c) => c.careType.code === ctx.cycle.careType.code && c.contract.firstYear === year && c.id !== ctx.cycle.id);
}

export function nextYearDates(): Pass[] {
  return [
    overProviders('next-year dates', async (ctx, providers) => {
      const nextYear = Number(ctx.step.localDate.slice(0, 4)) + 1;
      const next = await cycleFor(ctx, nextYear);
      if (!next) {
        throw new NextCycleMissingError(
          `No cycle for ${ctx.cycle.careType.code} ${nextYear}: create it (inkoop cycle create <calendar>) and re-run this milestone (inkoop milestone retry ${ctx.cycle.id} ${ctx.milestone.id})`,
        );
      }
      // Not for providers whose contract (from before, or from this cycle) still runs next year.
      const coversNext = ctx.cycle.contract.firstYear + ctx.cycle.contract.termYears - 1 >= nextYear;
      const apps = coversNext ? await ctx.store.getApplications(ctx.cycle.id, providers.map((p) => p.agb)) : new Map<string, Application>();
      const ics = calendarToIcs(next.calendar, { clock: ctx.clock, ...icsVersion(next) });
      const dates = keyDates(ctx, next.calendar);
      const audience = providers.filter((p) => {
        const invitation = invitationFor(p, next);
        const runs = !invitation.invite && invitation.reason === 'contract-runs';
        const app = apps.get(p.agb);
        return !runs && !(app && LISTED_STATES.includes(app.state));
      });
      await enqueue(ctx, audience.flatMap((p) => providerMessage(ctx, p, 'next-year-dates', { nextContractYear: nextYear, keyDates: dates, ics }) ?? []));
    }),
  ];
}
