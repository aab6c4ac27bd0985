/**
 * The simulated world around a cycle: providers who read their email and act
 * through the links in it (the same HTTP endpoints the links point to), new
 * providers who register through the public form in the window, and
 * purchasers who decide on registrations through the operators' decision path.
 *
 * Synchronisation with the virtual clock (./schedule.ts): every action is an
 * agenda entry at a virtual instant. Emails are read right after each send (the
 * runtime calls back inside the send invocation, while the clock is held), so
 * the answers they prompt are on the agenda before the clock can move past them.
 *
 * Determinism: behaviours come from the seed (./population.ts), instants from
 * the behaviours and the emails (./timing.ts). On `--resume` the same plan is
 * rebuilt from the restored mailbox; entries before the resumed clock already
 * happened and are skipped. Only the corrections after a refused form depend on
 * what a page answered: those not made yet are saved with the rehearsal's
 * state (`followUps`) and planned again.
 */
import type { Calendar } from '../../calendar/schema.ts';
import type { VirtualClock } from '../../commons/clock.ts';
import { recordDecision } from '../../operators/decisions.ts';
import type { LinkAction } from '../../domain/tokens.ts';
import type { Store } from '../../store/index.ts';
import type { VirtualTimeDriver } from '../virtual-time.ts';
import { fill, openPage, parseForm, submitForm, type ParsedForm } from './browser.ts';
import { MailReader, type MailLink } from './mail.ts';
import type { Behaviour, Population, SimulatedProvider } from './population.ts';
import { Agenda } from './schedule.ts';
import { answerAt, decisionAt, followUpAt, localDateOf, registrationAt, registrationWindow } from './timing.ts';
import { unit } from './random.ts';

export const PURCHASER_ID = 'inkoper.simulatie';

export interface SimulationDeps {
  clock: VirtualClock;
  driver: VirtualTimeDriver;
  store: Store;
  calendar: Calendar;
  cycleId: string;
  population: Population;
  /** The public registration form of the cycle. */
  registrationUrl: string;
  /** HTTP requests in flight at once. */
  concurrency?: number;
  /** The virtual time an email (by mailbox position) arrived. */
  receivedAt(index: number): number | undefined;
  /** Each action's outcome, for progress and logs. */
  onOutcome?(outcome: Outcome): void;
}

export type OutcomeKind = 'done' | 'refused-form' | 'refused' | 'skipped';

export interface Outcome {
  at: number;
  agb: string;
  action: LinkAction | 'request-registration' | 'decide';
  kind: OutcomeKind;
  status?: number;
  detail?: string;
}

/** What the simulation did (its own account; the report counts from the table and the mailbox instead). */
/** A correction planned after a refused form, not made yet. */
export interface FollowUp {
  agb: string;
  action: string;
  at: number;
  /** Of several cycles rehearsed at once: whose. */
  cycleId?: string;
}

export interface SimulationTally {
  actions: Record<string, Record<OutcomeKind, number>>;
  errors: string[];
  /** Pages that answered 5xx or not at all (a machine under heavy load), each tried again as a person would. */
  retried: string[];
}

/** Tries of one page request that answers 5xx or not at all: a person reloads (the clock is held meanwhile). */
const PAGE_TRIES = 3;

type Attempt = 'valid' | 'invalid';

export class Simulation {
  private readonly agenda: Agenda;
  private readonly reader: MailReader;
  private readonly byAgb = new Map<string, SimulatedProvider>();
  private readonly byEmail = new Map<string, SimulatedProvider>();
  /** Newest link per provider and action (a newer email's link supersedes the older). */
  private readonly latestLink = new Map<string, MailLink>();
  /** Provider and action pairs already planned (one answer per action). */
  private readonly planned = new Set<string>();
  readonly tally: SimulationTally = { actions: {}, errors: [], retried: [] };
  private unsubscribe: (() => void) | undefined;
  private startedAt = 0;
  private readonly pendingFollowUps = new Map<string, FollowUp>();
  private restoredFollowUps: readonly FollowUp[] = [];

  constructor(private readonly deps: SimulationDeps) {
    this.reader = new MailReader((i) => deps.receivedAt(i));
    this.agenda = new Agenda(deps.clock, deps.driver, {
      concurrency: deps.concurrency ?? 16,
      onError: (error, entry) => this.tally.errors.push(`${entry.label}: ${(error as Error)?.message ?? String(error)}`),
    });
    for (const p of deps.population.providers) {
      this.byAgb.set(p.agb, p);
      for (const c of p.contacts) this.byEmail.set(c.email.toLowerCase(), p);
    }
  }

  /**
   * Puts the plan on the agenda from the current virtual time on and starts
   * reading the mailbox. `subscribe` registers the mail callback with the runtime.
   */
  start(subscribe: (onSent: () => void) => () => void): void {
    this.startedAt = this.deps.clock.now();
    this.unsubscribe = subscribe(() => this.readMail());
    this.planRegistrations();
    this.planDecisions();
    this.readMail(); // a resumed rehearsal: the restored mailbox
    for (const f of this.restoredFollowUps) {
      const provider = this.byAgb.get(f.agb);
      if (provider) this.planFollowUp(provider, f.action as LinkAction | 'request-registration', f.at);
    }
  }

  /** The follow-ups of a resumed rehearsal (call before `start`). */
  restoreFollowUps(followUps: readonly FollowUp[]): void {
    this.restoredFollowUps = followUps;
  }

  /** Corrections planned and not made yet (saved with every checkpoint). */
  followUps(): FollowUp[] {
    return [...this.pendingFollowUps.values()].sort((a, b) => a.at - b.at || a.agb.localeCompare(b.agb) || a.action.localeCompare(b.action));
  }

  private planFollowUp(provider: SimulatedProvider, action: LinkAction | 'request-registration', again: number): void {
    const entry: FollowUp = { agb: provider.agb, action, at: again };
    const id = `${entry.agb}|${action}|${again}`;
    if (again <= this.startedAt) return;
    this.pendingFollowUps.set(id, entry);
    const key = [this.deps.population.seed, provider.agb, action];
    const run = (): Promise<void> => {
      this.pendingFollowUps.delete(id);
      if (action === 'request-registration') return this.register(provider, 'valid', again, key);
      const behaviour: Behaviour = provider.responds[action] ?? { timing: 'never', mistake: 'none' };
      return this.answer(provider, action, 'valid', behaviour, again, key);
    };
    this.plan(again, `${provider.agb} ${action} (corrected)`, run);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.agenda.stop();
  }

  get pending(): number {
    return this.agenda.size;
  }

  // ---------------------------------------------------------------- planning

  /**
   * Adds an entry unless it is not after the start: a resumed rehearsal did it
   * already (a stop waits for the entries of the instant it happened at).
   */
  private plan(at: number, label: string, run: () => Promise<void>): void {
    if (at <= this.startedAt) return;
    this.agenda.add({ at, label, run });
  }

  /** New providers fill in the public form: early in the window, on its last day, or the day after it closed. */
  private planRegistrations(): void {
    const window = registrationWindow(this.deps.calendar);
    if (!window) return;
    const { seed } = this.deps.population;
    for (const p of this.deps.population.providers) {
      if (p.kind !== 'new' || !p.registration) continue;
      const key = [seed, p.agb, 'request-registration'];
      const at = registrationAt(window, p.registration.timing, key);
      const first: Attempt = p.registration.mistake === 'none' ? 'valid' : 'invalid';
      this.plan(at, `${p.agb} request-registration`, () => this.register(p, first, at, key));
    }
  }

  /**
   * Purchasers decide on registrations under review between the window's close
   * and the first milestone that acts on the decisions (the eligibility
   * notification or the negotiation period), through the operators' decision
   * path. `undecided` ones are left for the escalation.
   */
  private planDecisions(): void {
    const { seed } = this.deps.population;
    for (const p of this.deps.population.providers) {
      if (p.kind !== 'new' || !p.decision || p.decision === 'undecided') continue;
      const at = decisionAt(this.deps.calendar, [seed, p.agb, 'decide']);
      if (at === undefined) continue;
      const decision = p.decision;
      this.plan(at, `${p.agb} decide ${decision}`, () => this.decide(p, decision, at));
    }
  }

  /** Reads new emails and plans the answers they ask for. Runs inside the send invocation (the clock is held). */
  private readMail(): void {
    const now = this.deps.clock.now();
    for (const email of this.reader.next()) {
      for (const link of email.links) {
        const provider = this.byAgb.get(link.agb);
        // An unreachable provider's emails bounced (or were reported as spam): nobody acts on them.
        if (!provider || provider.unreachable || link.cycleId !== this.deps.cycleId) continue;
        if (!email.to.some((address) => this.byEmail.get(address.toLowerCase()) === provider)) continue;
        const key = `${link.agb}|${link.action}`;
        this.latestLink.set(key, link);
        if (this.planned.has(key)) continue;
        this.planned.add(key);
        this.planAnswer(provider, link, email.receivedAt ?? now);
      }
    }
  }

  private planAnswer(provider: SimulatedProvider, link: MailLink, receivedAt: number): void {
    const behaviour: Behaviour = provider.responds[link.action] ?? { timing: 'never', mistake: 'none' };
    const key = [this.deps.population.seed, provider.agb, link.action];
    const at = answerAt(behaviour.timing, receivedAt, link.expiresAt, key);
    if (at === undefined) return;
    const first: Attempt = behaviour.mistake === 'none' || behaviour.timing === 'late' ? 'valid' : 'invalid';
    this.plan(at, `${provider.agb} ${link.action}`, () => this.answer(provider, link.action, first, behaviour, at, key));
  }

  // ---------------------------------------------------------------- acting

  /** A page request, tried again when the server answers 5xx or not at all; the last answer (or error) stands. */
  private async page<T extends { status: number }>(label: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await call();
        if (result.status < 500 || attempt >= PAGE_TRIES) return result;
        this.tally.retried.push(`${label}: ${result.status}`);
      } catch (error) {
        if (attempt >= PAGE_TRIES) throw error;
        this.tally.retried.push(`${label}: ${(error as Error)?.message ?? String(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }

  private record(outcome: Omit<Outcome, 'at'>): void {
    const full = { ...outcome, at: this.deps.clock.now() };
    this.tally.actions[outcome.action] ??= { done: 0, 'refused-form': 0, refused: 0, skipped: 0 };
    this.tally.actions[outcome.action][outcome.kind]++;
    this.deps.onOutcome?.(full);
  }

  private async answer(provider: SimulatedProvider, action: LinkAction, attempt: Attempt, behaviour: Behaviour, at: number, key: (string | number)[]): Promise<void> {
    const link = this.latestLink.get(`${provider.agb}|${action}`);
    if (!link) return this.record({ agb: provider.agb, action, kind: 'skipped', detail: 'no link' });
    const label = `${provider.agb} ${action}`;
    const page = await this.page(label, () => openPage(link.url));
    const form = page.status === 200 ? parseForm(page.body, link.url) : undefined;
    if (!form) return this.record({ agb: provider.agb, action, kind: 'refused', status: page.status });
    const result = await this.page(label, () => submitForm(form, fill(form, this.values(provider, action, form, attempt))));
    this.recordPost(provider.agb, action, result.status);
    if (result.status === 400 && attempt === 'invalid' && behaviour.mistake === 'corrected') this.planFollowUp(provider, action, followUpAt(at, key));
  }

  private async register(provider: SimulatedProvider, attempt: Attempt, at: number, key: (string | number)[]): Promise<void> {
    const label = `${provider.agb} request-registration`;
    const page = await this.page(label, () => openPage(this.deps.registrationUrl));
    const form = page.status === 200 ? parseForm(page.body, this.deps.registrationUrl) : undefined;
    if (!form) return this.record({ agb: provider.agb, action: 'request-registration', kind: 'refused', status: page.status });
    const contact = provider.contacts[0];
    const values: Record<string, string | string[]> = {
      organisationName: provider.name,
      agb: attempt === 'invalid' ? provider.agb.slice(0, 7) : provider.agb,
      kvk: provider.kvk,
      contactName: contact.name,
      contactEmail: contact.email,
      // The care type of the cycle it asks to take part in (a provider known for others asks for this one).
      careTypes: [this.deps.calendar.careType.code],
    };
    const result = await this.page(label, () => submitForm(form, fill(form, values)));
    this.recordPost(provider.agb, 'request-registration', result.status);
    if (result.status === 400 && attempt === 'invalid' && provider.registration?.mistake === 'corrected') {
      this.planFollowUp(provider, 'request-registration', followUpAt(at, key));
    }
  }

  private recordPost(agb: string, action: Outcome['action'], status: number): void {
    const kind: OutcomeKind = status >= 200 && status < 400 ? 'done' : status === 400 ? 'refused-form' : 'refused';
    this.record({ agb, action, kind, status });
  }

  private async decide(provider: SimulatedProvider, decision: 'eligible' | 'not-eligible', at: number): Promise<void> {
    void at;
    const app = await this.deps.store.getApplication(this.deps.cycleId, provider.agb);
    if (app?.state !== 'under-review') {
      return this.record({ agb: provider.agb, action: 'decide', kind: 'skipped', detail: app ? app.state : 'no application' });
    }
    await recordDecision(
      { store: this.deps.store, clock: this.deps.clock },
      app,
      {
        decision,
        reason:
          decision === 'eligible'
            ? 'Voldoet aan de voorwaarden; het zorgaanbod past in onze inkoop.'
            : 'Wij hebben voldoende zorg van deze soort in de regio gecontracteerd.',
        expectedVersion: app.version,
        // The purchaser checks the KvK extract the provider uploaded: the signatory from the form may sign.
        ...(decision === 'eligible' ? { signatoryConfirmed: true } : {}),
      },
      PURCHASER_ID,
    );
    this.record({ agb: provider.agb, action: 'decide', kind: 'done' });
  }

  /** What a provider fills in on a form; `invalid` makes one required field wrong. */
  private values(provider: SimulatedProvider, action: LinkAction, form: ParsedForm, attempt: Attempt): Record<string, string | string[]> {
    const today = localDateOf(this.deps.clock.now());
    const signatory = provider.contacts.find((c) => c.role === 'signatory') ?? provider.contacts[0];
    const bad = attempt === 'invalid';
    const amount = 50_000 + Math.floor(unit(this.deps.population.seed, provider.agb, 'amount') * 950_000);
    const values: Record<string, string | string[]> = {
      // submit-registration
      careDescription: `Medisch specialistische revalidatie voor volwassenen na een beroerte of amputatie (${provider.name}).`,
      startedOn: '2004-03-01',
      extraLocations: 'nee',
      extraLocationsDescription: '',
      kvkExtractDate: bad ? '2001-01-01' : today,
      // submit-proposal
      amount: bad ? 'veel geld' : `${amount.toLocaleString('nl-NL')},00`,
      volume: String(20 + Math.floor(unit(this.deps.population.seed, provider.agb, 'volume') * 480)),
      note: '',
      // sign-agreement
      signatoryName: bad ? '' : signatory.name,
      // ask-question
      kind: 'question',
      text: 'Geldt de omzetplafondregeling ook voor nieuwe locaties?',
      reason: 'Wij stoppen met deze zorg.',
    };
    if (bad) {
      // Checkbox-only forms (accepting, declaring conditions): leave the first box unticked.
      const hasTextField = form.fields.some((f) => ['text', 'textarea', 'date', 'email'].includes(f.type) && f.name in values);
      if (!hasTextField) {
        const firstBox = form.fields.find((f) => f.type === 'checkbox');
        if (firstBox) values[firstBox.name] = [];
      }
    }
    void action;
    return values;
  }
}
