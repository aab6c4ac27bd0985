/**
 * `npx tsx scripts/bench-render.ts [emails]`: CPU per rendered email and per
 * date. Renders `emails` (default 20,000) emails round-robin over every
 * template, from the sample params of test/unit/email/samples.ts with the
 * provider and the dates varied per email the way a rehearsal varies them (many
 * providers, a few dozen calendar dates). Then times the params validation
 * alone and the date functions alone. Prints emails/s and CPU ms per email.
 * A script, not a timed test: the numbers depend on the machine.
 */
import { afterDeadline, addDays, deadlineEnd, formatDutchDate, formatDutchDeadline, sendInstant, windowContains } from '../functions/calendar/time.ts';
import { parseParams, render, TEMPLATE_IDS, type TemplateId } from '../functions/email/templates.ts';
import { dutchLocalDate, endOfDutchDay, startOfDutchDay } from '../functions/links/dutch-dates.ts';
import { SAMPLES } from '../test/unit/email/samples.ts';

const emails = Number(process.argv[2] ?? 20_000);

/** A calendar's worth of dates: 36 days spread over 2020 and early 2021, both DST switches included. */
const DATES = Array.from({ length: 36 }, (_, i) => addDays('2020-03-15', i * 11));
const DATE_KEYS = ['deadline', 'closes', 'decisionBy', 'qaMemoDate', 'newDate'] as const;

function paramsFor(i: number): [TemplateId, Record<string, unknown>] {
  const id = TEMPLATE_IDS[i % TEMPLATE_IDS.length];
  const params: Record<string, unknown> = { ...SAMPLES[id] };
  if ('providerName' in params) params.providerName = `Zorgaanbieder ${i}`;
  if ('agb' in params) params.agb = String(10_000_000 + (i % 90_000_000));
  const date = DATES[i % DATES.length];
  for (const key of DATE_KEYS) if (key in params) params[key] = date;
  if ('opens' in params) params.opens = DATES[0];
  return [id, params];
}

function measure(label: string, n: number, unit: string, fn: (i: number) => unknown): void {
  for (let i = 0; i < Math.min(n, 2_000); i++) fn(i); // warm-up: JIT, zod's compiled parsers, caches
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(
    `${label.padEnd(44)} ${String(n).padStart(7)} ${unit}  ${((n / wallMs) * 1000).toFixed(0).padStart(8)} ${unit}/s  ` +
      `${((cpuMs / n) * 1000).toFixed(1).padStart(7)} µs CPU/${unit.replace(/s$/, '')}`,
  );
}

const inputs = Array.from({ length: emails }, (_, i) => paramsFor(i));
const instants = Array.from({ length: emails }, (_, i) => Date.parse('2020-01-01T00:00:00Z') + i * 1_234_567);

console.log(`node ${process.version}, ${TEMPLATE_IDS.length} templates, ${DATES.length} distinct dates`);
measure('render (validate + draft + HTML/text)', emails, 'emails', (i) => render(...inputs[i]));
measure('parseParams only', emails, 'emails', (i) => parseParams(...inputs[i]));
measure('formatDutchDeadline(date)', emails, 'calls', (i) => formatDutchDeadline(DATES[i % DATES.length]));
measure('formatDutchDate(date)', emails, 'calls', (i) => formatDutchDate(DATES[i % DATES.length]));
measure('deadlineEnd + afterDeadline + sendInstant', emails, 'calls', (i) => {
  const d = DATES[i % DATES.length];
  return deadlineEnd(d) + afterDeadline(d) + sendInstant(d);
});
measure('windowContains', emails, 'calls', (i) => windowContains(DATES[i % 30], DATES[(i % 30) + 5], instants[i]));
measure('endOfDutchDay + startOfDutchDay', emails, 'calls', (i) => endOfDutchDay(DATES[i % DATES.length]) + startOfDutchDay(DATES[i % DATES.length]));
measure('formatDutchDeadline(instant), distinct instants', emails, 'calls', (i) => formatDutchDeadline(instants[i]));
measure('dutchLocalDate(instant), distinct instants', emails, 'calls', (i) => dutchLocalDate(instants[i]));
