/**
 * Emails right on arrival, over every shipped calendar: a whole year of milestone steps with an application in
 * each open state, and a provider who asks for its registration link the day before the window's 14-day
 * reminder. Nobody gets two link emails about one action at once or within RECENT_LINK_DAYS (the first one's
 * link would be dead on arrival), and every link expires at its action's live last day, which the provider
 * pages check (functions/calendar/deadlines.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { linkLastDay } from '../../../functions/calendar/deadlines.ts';
import { deadlineEnd, localDateAt } from '../../../functions/calendar/time.ts';
import { listCalendarIds } from '../../../functions/calendar/validate.ts';
import { messageKey } from '../../../functions/domain/messages.ts';
import type { ApplicationState } from '../../../functions/domain/states.ts';
import type { LinkAction } from '../../../functions/domain/tokens.ts';
import { RECENT_LINK_DAYS } from '../../../functions/milestones/plan/reminders.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { makeWorld, type World } from './harness.ts';

const local = useDynamoDbLocal();
let w: World;
afterEach(async () => w?.close());

const OPEN: ApplicationState[] = ['invited', 'registration-started', 'conditions-confirmed', 'eligible', 'in-negotiation', 'proposal-submitted', 'agreement-reached'];
const DAY = 86_400_000;

describe('no link email is dead on arrival, in every shipped calendar', () => {
  it.each(listCalendarIds())('%s', { timeout: 240_000 }, async (calendarId) => {
    w = await makeWorld(local.db.client, await local.freshTable(), calendarId);
    for (const state of OPEN) await w.application(await w.provider(), state);
    const asking = await w.provider();
    await w.application(asking, 'registration-started', { track: 'new' });

    // The year, but next year's dates (they need next year's cycle).
    for (const step of (await w.store.getSteps(w.cycle.id)).filter((s) => s.kind !== 'next-year-dates-publication')) {
      const window = w.cycle.calendar.milestones.find((m) => m.kind === 'registration-window');
      if (step.stepId === `${window?.id}#reminder-14`) {
        // The public form's registration link, the day before the reminder (as functions/links/registration-request.ts queues it).
        w.clock.advanceTo(Date.parse(step.at) - DAY);
        const contact = asking.contacts[0];
        await w.store.enqueueMessage({
          key: messageKey({ cycleId: w.cycle.id, agb: asking.agb, cause: 'request-registration', template: 'registration-link' }),
          cycleId: w.cycle.id,
          agb: asking.agb,
          recipients: [{ role: contact.role, address: contact.email, name: contact.name, contactId: contact.id }],
          template: 'registration-link',
          params: { deadline: window!.closes },
          link: { action: 'submit-registration', contactId: contact.id, expiresAt: new Date(deadlineEnd(window!.closes!)).toISOString() },
        });
      }
      await w.runStep(step.stepId);
    }

    const links = (await w.messages()).filter((m) => m.link);
    expect(links.length).toBeGreaterThan(0);
    const byAction = new Map<string, number[]>();
    for (const m of links) {
      // Dated with the same function the pages check a link against.
      expect(m.link!.expiresAt, m.key).toBe(deadlineEnd(linkLastDay(w.cycle.calendar, m.link!.action as LinkAction, localDateAt(Date.parse(m.createdAt)))!));
      const key = `${m.agb} ${m.link!.action}`;
      byAction.set(key, [...(byAction.get(key) ?? []), Date.parse(m.createdAt)]);
    }
    for (const [key, times] of byAction) {
      times.sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++) {
        expect(times[i] - times[i - 1], `${key}: link emails ${new Date(times[i - 1]).toISOString()} and ${new Date(times[i]).toISOString()}`).toBeGreaterThanOrEqual(RECENT_LINK_DAYS * DAY);
      }
    }
  });
});
