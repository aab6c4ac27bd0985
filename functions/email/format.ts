/**
 * The Dutch wording of dates and periods in emails. Date semantics (a deadline
 * "uiterlijk 1 juli" runs to the end of that day in Amsterdam) live in
 * functions/calendar/time.ts; this module only phrases them.
 */
import { formatDutchDate, formatDutchDeadline, formatDutchWindow } from '../calendar/time.ts';

export { formatDutchDate, formatDutchDeadline, formatDutchWindow };

/** "uiterlijk woensdag 1 juli 2020, 23:59" */
export const deadlinePhrase = (date: string): string => `uiterlijk ${formatDutchDeadline(date)}`;

export interface Period {
  contractYear: number;
  contractTermYears: 1 | 2 | 3;
}

/** "2021" or "2024–2025" */
export const periodLabel = (p: Period): string =>
  p.contractTermYears === 1 ? String(p.contractYear) : `${p.contractYear}–${p.contractYear + p.contractTermYears - 1}`;

/** "contractjaar 2021" or "contractperiode 2024–2025" */
export const periodPhrase = (p: Period): string =>
  `${p.contractTermYears === 1 ? 'contractjaar' : 'contractperiode'} ${periodLabel(p)}`;

/** "1 dag", "3 dagen" */
export const days = (n: number): string => `${n} ${n === 1 ? 'dag' : 'dagen'}`;

/** "1 aanmelding", "3 aanmeldingen" */
export const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
