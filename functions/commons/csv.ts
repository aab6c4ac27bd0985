/**
 * CSV cells for files people open in a spreadsheet. A cell starting with
 * `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by Excel,
 * LibreOffice and Google Sheets ("CSV injection"): a provider naming itself
 * `=HYPERLINK(...)` would put a live link into every customer's copy of the
 * public list. As OWASP recommends, such a cell gets a leading single quote
 * (shown as text, not evaluated) and is quoted, with its own quotes doubled.
 * https://owasp.org/www-community/attacks/CSV_Injection
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",;\r\n\t]/;

export function csvCell(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) || text !== value ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line (no line ending). */
export const csvRow = (values: readonly string[]): string => values.map(csvCell).join(',');
