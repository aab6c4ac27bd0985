/**
 * Key builders for the single table. The layout is documented once, in the
 * comment table of ./table.ts; keep both in sync.
 */
import type { ApplicationState } from '../domain/states.ts';
import type { MessageStatus } from '../domain/model.ts';

export type Key = {
  pk: string;
  sk: string;
};

const pad = (version: number): string => String(version).padStart(6, '0');

export const keys = {
  cycle: (cycleId: string): Key => ({ pk: `CYCLE#${cycleId}`, sk: 'CYCLE' }),
  step: (cycleId: string, stepId: string): Key => ({ pk: `CYCLE#${cycleId}`, sk: `STEP#${stepId}` }),
  application: (cycleId: string, agb: string): Key => ({ pk: `CYCLE#${cycleId}`, sk: `APP#${agb}` }),
  question: (cycleId: string, id: string): Key => ({ pk: `CYCLE#${cycleId}`, sk: `QUESTION#${id}` }),
  cycleAudit: (cycleId: string, seq: number): Key => ({ pk: `CYCLE#${cycleId}`, sk: `AUDIT#${pad(seq)}` }),
  provider: (agb: string): Key => ({ pk: `PROVIDER#${agb}`, sk: 'PROFILE' }),
  careTypeMember: (careType: string, agb: string): Key => ({ pk: `CARETYPE#${careType}`, sk: `PROVIDER#${agb}` }),
  event: (cycleId: string, agb: string, version: number): Key => ({ pk: `APP#${cycleId}#${agb}`, sk: `EVENT#${pad(version)}` }),
  message: (key: string): Key => ({ pk: `MSG#${key}`, sk: 'MSG' }),
  reachability: (agb: string): Key => ({ pk: `PROVIDER#${agb}`, sk: 'REACH' }),
  contactCorrection: (agb: string, at: string, contactId: string): Key => ({ pk: `PROVIDER#${agb}`, sk: `CONTACTFIX#${at}#${contactId}` }),
};

/** Prefixes for `begins_with` on the sort key. */
export const prefixes = {
  step: 'STEP#',
  question: 'QUESTION#',
  cycleAudit: 'AUDIT#',
  event: 'EVENT#',
  applicationOfProvider: 'CYCLE#',
  messageOfProvider: 'MSG#',
  contactCorrection: 'CONTACTFIX#',
};

const indexKeysOfProvider = (agb: string) => ({ gsi2pk: `PROVIDER#${agb}` });

export const indexKeys = {
  cycleList: (createdAt: string, cycleId: string) => ({ gsi1pk: 'CYCLES', gsi1sk: `${createdAt}#${cycleId}` }),
  providerList: (agb: string) => ({ gsi1pk: 'PROVIDERS', gsi1sk: agb }),
  applicationState: (cycleId: string, state: ApplicationState, agb: string) => ({
    gsi1pk: `CYCLE#${cycleId}#STATE#${state}`,
    gsi1sk: agb,
  }),
  /** The partition of one provider's history (gsi2): its applications, questions and messages. */
  providerHistory: indexKeysOfProvider,
  applicationOfProvider: (agb: string, cycleId: string) => ({ ...indexKeysOfProvider(agb), gsi2sk: `CYCLE#${cycleId}` }),
  questionOfProvider: (agb: string, cycleId: string, id: string) => ({ ...indexKeysOfProvider(agb), gsi2sk: `QUESTION#${cycleId}#${id}` }),
  messageOfProvider: (agb: string, createdAt: string, key: string) => ({ ...indexKeysOfProvider(agb), gsi2sk: `${prefixes.messageOfProvider}${createdAt}#${key}` }),
  /** Sparse: only while nobody at the provider can be reached (the dashboard's "Niet bereikbaar" queue). */
  unreachable: (since: string, agb: string) => ({ gsi3pk: 'UNREACHABLE', gsi3sk: `${since}#${agb}` }),
  messageStatus: (status: MessageStatus, createdAt: string, key: string) => ({
    gsi3pk: `MSGSTATUS#${status}`,
    gsi3sk: `${createdAt}#${key}`,
  }),
};

const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'];

/** The entity without its key attributes, ready for a zod parse. */
export function withoutKeys(item: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...item };
  for (const k of KEY_ATTRIBUTES) delete rest[k];
  return rest;
}
