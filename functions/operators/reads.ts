/**
 * The store reads the operator tools make, over the store's paged queries
 * (no Scan: applications per state via gsi1, messages per status via gsi3).
 */
import { APPLICATION_STATES, MESSAGE_STATUSES, type Application, type ApplicationState, type Message, type MessageStatus } from '../domain/index.ts';
import type { Page, PageOptions, Store } from '../store/index.ts';

/** The store methods the operator tools use; tests may pass a fake with just these. */
export type OperatorStore = Pick<
  Store,
  | 'getCycle'
  | 'listCycles'
  | 'getSteps'
  | 'getApplication'
  | 'transition'
  | 'queryApplicationsByState'
  | 'listApplicationsOfProvider'
  | 'listEvents'
  | 'queryMessagesByStatus'
  | 'listMessagesOfProvider'
  | 'getProvider'
  | 'listProviders'
  | 'listQuestions'
  | 'answerQuestion'
  | 'getReachability'
  | 'listUnreachable'
  | 'listContactCorrections'
  | 'correctContact'
  | 'putContacts'
  | 'openUnreachable'
  | 'tableName'
>;

/** Follows a paged query to the end. */
export async function everyPage<T>(query: (page: PageOptions) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await query({ cursor, limit: 500 });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

export const applicationsInState = (store: OperatorStore, cycleId: string, state: ApplicationState): Promise<Application[]> =>
  everyPage((page) => store.queryApplicationsByState(cycleId, state, page));

/** Every application of a cycle, by state (one Query per state). */
export async function applicationsByState(store: OperatorStore, cycleId: string): Promise<Map<ApplicationState, Application[]>> {
  const lists = await Promise.all(APPLICATION_STATES.map((s) => applicationsInState(store, cycleId, s)));
  return new Map(APPLICATION_STATES.map((s, i) => [s, lists[i]]));
}

/** Every message in the outbox, all cycles (one Query per status); the callers group by cycle. */
export async function allMessages(store: OperatorStore, statuses: readonly MessageStatus[] = MESSAGE_STATUSES): Promise<Message[]> {
  const lists = await Promise.all(statuses.map((s) => everyPage((page) => store.queryMessagesByStatus(s, page))));
  return lists.flat();
}
