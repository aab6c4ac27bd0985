/**
 * The public list of contracted providers for one care type and contract
 * period (Zvw: customers see it by 12 November). Following the consumer
 * information rule, the list states the contract period, how often it is
 * updated, whether contracts are still open (from the cycle's applications),
 * and when it last changed.
 * Published as JSON, CSV and a Dutch HTML page.
 */
import { z } from 'zod';
import { formatDutchDate } from '../calendar/time.ts';
import type { Cycle } from '../domain/model.ts';
import { csvRow } from '../commons/csv.ts';
import { html } from '../commons/html.ts';
import { publicPage } from './page.ts';
import type { PublicationStore } from './store.ts';

export const contractedEntrySchema = z.object({ agb: z.string(), name: z.string() });
export type ContractedEntry = z.infer<typeof contractedEntrySchema>;

export const contractedListSchema = z.object({
  cycleId: z.string(),
  careType: z.object({ code: z.string(), name: z.string() }),
  contractPeriod: z.object({ from: z.string(), to: z.string(), years: z.number().int() }),
  /** Dutch sentence: when the list is updated. */
  updateFrequency: z.string(),
  /** True while any application of the cycle is still open (not contracted, lapsed, refused or withdrawn). */
  notAllContractsClosed: z.boolean(),
  notice: z.string(),
  /** When the set of providers last changed (ISO). */
  lastChanged: z.string(),
  /** When this version was generated (ISO). */
  generatedAt: z.string(),
  providers: z.array(contractedEntrySchema),
});
export type ContractedList = z.infer<typeof contractedListSchema>;

export const CONTRACTED_FILES = {
  json: 'gecontracteerde-zorgaanbieders.json',
  csv: 'gecontracteerde-zorgaanbieders.csv',
  html: 'gecontracteerde-zorgaanbieders.html',
} as const;

const NOT_ALL_CLOSED =
  'Nog niet alle overeenkomsten zijn gesloten. Staat een zorgaanbieder niet op dit overzicht, dan kan de overeenkomst nog in voorbereiding zijn.';
const ALL_CLOSED = 'Alle overeenkomsten voor deze contractperiode zijn gesloten.';

/** "Dit overzicht wordt bijgewerkt op 12 november 2020 en na 31 december 2020 …" from the calendar's dates. */
export function updateFrequencyOf(cycle: Pick<Cycle, 'calendar'>): string {
  const dateOf = (kind: string) => cycle.calendar.milestones.find((m) => m.kind === kind)?.date;
  const publication = dateOf('contracted-publication');
  const signing = dateOf('signing-deadline');
  const moments = [
    publication ? `op ${formatDutchDate(publication)}` : undefined,
    signing ? `na ${formatDutchDate(signing)}, de uiterste datum voor het ondertekenen van de overeenkomsten` : undefined,
  ].filter(Boolean);
  return moments.length
    ? `Dit overzicht wordt bijgewerkt ${moments.join(' en ')}.`
    : 'Dit overzicht wordt bijgewerkt wanneer er een overeenkomst bijkomt of vervalt.';
}

export function buildContractedList(input: {
  cycle: Pick<Cycle, 'id' | 'careType' | 'contract' | 'calendar'>;
  entries: readonly ContractedEntry[];
  /** Whether any application of the cycle is still open (the caller counts them). */
  openApplications: boolean;
  now: number;
  previous?: ContractedList;
}): ContractedList {
  const { cycle } = input;
  const providers = [...new Map(input.entries.map((e) => [e.agb, e])).values()].sort(
    (a, b) => a.name.localeCompare(b.name, 'nl') || a.agb.localeCompare(b.agb),
  );
  const generatedAt = new Date(input.now).toISOString();
  const same = input.previous && JSON.stringify(input.previous.providers) === JSON.stringify(providers);
  const last = cycle.contract.firstYear + cycle.contract.termYears - 1;
  return {
    cycleId: cycle.id,
    careType: cycle.careType,
    contractPeriod: { from: `${cycle.contract.firstYear}-01-01`, to: `${last}-12-31`, years: cycle.contract.termYears },
    updateFrequency: updateFrequencyOf(cycle),
    notAllContractsClosed: input.openApplications,
    notice: input.openApplications ? NOT_ALL_CLOSED : ALL_CLOSED,
    lastChanged: same ? input.previous!.lastChanged : generatedAt,
    generatedAt,
    providers,
  };
}

export function contractedListCsv(list: ContractedList): string {
  return `${['agb,naam', ...list.providers.map((p) => csvRow([p.agb, p.name]))].join('\r\n')}\r\n`;
}

const periodText = (list: ContractedList): string =>
  list.contractPeriod.years === 1
    ? `contractjaar ${list.contractPeriod.from.slice(0, 4)} (${formatDutchDate(list.contractPeriod.from)} t/m ${formatDutchDate(list.contractPeriod.to)})`
    : `contractperiode ${list.contractPeriod.from.slice(0, 4)}–${list.contractPeriod.to.slice(0, 4)} (${formatDutchDate(list.contractPeriod.from)} t/m ${formatDutchDate(list.contractPeriod.to)})`;

export function contractedListHtml(list: ContractedList): string {
  const title = `Gecontracteerde zorgaanbieders ${list.careType.name}`;
  const body = html`<div class="meta">
<p><strong>Contractperiode:</strong> ${periodText(list)}</p>
<p><strong>Laatst gewijzigd:</strong> ${formatDutchDate(Date.parse(list.lastChanged))}</p>
<p><strong>Hoe vaak bijgewerkt:</strong> ${list.updateFrequency}</p>
<p class="note">${list.notice}</p>
</div>
${
  list.providers.length
    ? html`<table>
<caption>${list.providers.length === 1 ? '1 zorgaanbieder' : `${list.providers.length} zorgaanbieders`}</caption>
<thead><tr><th scope="col">Zorgaanbieder</th><th scope="col">AGB-code</th></tr></thead>
<tbody>
${list.providers.map((p) => html`<tr><td>${p.name}</td><td>${p.agb}</td></tr>
`)}</tbody>
</table>`
    : html`<p>Er zijn nog geen zorgaanbieders met een overeenkomst voor deze contractperiode.</p>`
}
<p>Dit overzicht is ook beschikbaar als <a href="${CONTRACTED_FILES.csv}">CSV</a> en <a href="${CONTRACTED_FILES.json}">JSON</a>.</p>`;
  return publicPage(title, body);
}

/**
 * Writes the list in its three forms; `lastChanged` carries over from the
 * version already published when the providers are the same. Returns the
 * HTML page's URL.
 */
export async function publishContractedList(
  publications: PublicationStore,
  input: { cycle: Pick<Cycle, 'id' | 'careType' | 'contract' | 'calendar'>; entries: readonly ContractedEntry[]; openApplications: boolean; now: number },
): Promise<{ url: string; list: ContractedList }> {
  const path = (file: string) => `${input.cycle.id}/${file}`;
  const previousText = await publications.get(path(CONTRACTED_FILES.json));
  const previous = previousText ? contractedListSchema.safeParse(JSON.parse(previousText)).data : undefined;
  const list = buildContractedList({ ...input, previous });
  await publications.put(path(CONTRACTED_FILES.json), `${JSON.stringify(list, null, 2)}\n`, 'application/json; charset=utf-8');
  await publications.put(path(CONTRACTED_FILES.csv), contractedListCsv(list), 'text/csv; charset=utf-8');
  // The page last: it links the other two.
  const { url } = await publications.put(path(CONTRACTED_FILES.html), contractedListHtml(list), 'text/html; charset=utf-8');
  return { url, list };
}
