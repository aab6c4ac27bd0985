/**
 * The states of an application (one provider in one cycle) and its two tracks.
 * The transitions between them are in ./transitions.ts.
 */
import { z } from 'zod';

export const APPLICATION_STATES = [
  'invited', // existing contract holder, asked to confirm the conditions
  'registration-started', // new provider, registered through the contact form
  'registration-submitted', // documents and declarations in; amendable until the window closes
  'lapsed', // a deadline passed without the provider acting
  'under-review', // the registration window closed; the purchaser assesses
  'eligible',
  'not-eligible',
  'conditions-confirmed', // existing contract holder declared the conditions are met
  'in-negotiation',
  'proposal-submitted', // financial proposal in
  'agreement-reached', // negotiation agreement (onderhandelakkoord) accepted
  'signed', // the authorised signatory signed; contracted at the signing deadline
  'contracted',
  'not-contracted',
  'withdrawn',
] as const;
export const applicationState = z.enum(APPLICATION_STATES);
export type ApplicationState = z.infer<typeof applicationState>;

export const TERMINAL_STATES: readonly ApplicationState[] = [
  'lapsed',
  'not-eligible',
  'contracted',
  'not-contracted',
  'withdrawn',
];

export const NON_TERMINAL_STATES: readonly ApplicationState[] = APPLICATION_STATES.filter(
  (s) => !TERMINAL_STATES.includes(s),
);

export const isTerminal = (state: ApplicationState): boolean => TERMINAL_STATES.includes(state);

/** `existing`: holds a contract for the care type; `new`: registers in the window. */
export const TRACKS = ['existing', 'new'] as const;
export const track = z.enum(TRACKS);
export type Track = z.infer<typeof track>;
