import { describe, expect, it } from 'vitest';
import { ValidationError, type Issue } from '../../../functions/commons/errors.ts';
import { contactIdFor } from '../../../functions/domain/provider.ts';
import { arrayElementLines, formatOf, parseProvidersCsv, parseProvidersJson } from '../../../functions/providers/import.ts';

const HEADER = 'agb,kvk,name,careTypes,contactName,contactEmail,contactRole,contracts';

function issuesOf(fn: () => unknown): Issue[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  throw new Error('expected a ValidationError');
}
const brief = (issues: Issue[]) => issues.map((i) => `${i.source} ${i.path}`);

describe('CSV import', () => {
  it('groups rows per AGB code into providers with contacts', () => {
    const csv = [
      HEADER,
      '01234567,12345678,Revalidatie Oost,msr,Anna de Vries,anna@oost.example.nl,signatory,msr:2020',
      '07654321,87654321,"Zorg ""West"", BV",zg;msr,Carla Smit,carla@west.example.nl,Signatory,',
      '01234567,12345678,Revalidatie Oost,msr,Bram Jansen,bram@oost.example.nl,general,msr:2020',
    ].join('\n');
    const providers = parseProvidersCsv(csv);
    expect(providers).toEqual([
      {
        agb: '01234567',
        kvk: '12345678',
        name: 'Revalidatie Oost',
        careTypes: ['msr'],
        contracts: [{ careType: 'msr', firstYear: 2020, lastYear: 2020 }],
        contacts: [
          { id: contactIdFor('anna@oost.example.nl'), name: 'Anna de Vries', email: 'anna@oost.example.nl', role: 'signatory' },
          { id: contactIdFor('bram@oost.example.nl'), name: 'Bram Jansen', email: 'bram@oost.example.nl', role: 'general' },
        ],
      },
      expect.objectContaining({ agb: '07654321', name: 'Zorg "West", BV', careTypes: ['msr', 'zg'], contracts: [] }),
    ]);
  });

  it('accepts a file without the optional contracts column, with a BOM and CRLF', () => {
    const csv = '\uFEFFagb,kvk,name,careTypes,contactName,contactEmail,contactRole\r\n01234567,12345678,Oost,msr,Anna,anna@oost.example.nl,signatory\r\n';
    expect(parseProvidersCsv(csv)).toHaveLength(1);
  });

  it('names every bad row by line number and field, and imports nothing', () => {
    const csv = [
      HEADER,
      '0123456,12345678,Oost,msr,Anna,anna@oost.example.nl,signatory,', // 2: AGB of 7 digits
      '01234568,1234567X,Oost,msr,Bram,not-an-email,boss,', // 3: kvk, email, role (and so no signatory)
      '',
      '07654321,87654321,West,msr,Carla,carla@west.example.nl,signatory,msr:2022-2021', // 5: contract years reversed
      '07654321,87654321,West BV,msr,Dirk,dirk@west.example.nl,signatory,msr:2022-2021', // 6: name differs, second signatory
      '07654321,87654321,West,msr,Eva,CARLA@west.example.nl,general,msr:2022-2021', // 7: same contact as line 5
      '09999999,11111111,Noord,msr,Frank,frank@noord.example.nl,general', // 8: too few fields
    ].join('\n');
    const issues = issuesOf(() => parseProvidersCsv(csv, 'p.csv'));
    expect(brief(issues)).toEqual([
      'p.csv line 2 agb',
      'p.csv line 3 kvk',
      'p.csv line 3 contactEmail',
      'p.csv line 3 contactRole',
      'p.csv line 3 contactRole',
      'p.csv line 5 contracts',
      'p.csv line 6 contracts',
      'p.csv line 6 name',
      'p.csv line 6 contactRole',
      'p.csv line 7 contracts',
      'p.csv line 7 contactEmail',
      'p.csv line 8 (row)',
    ]);
    expect(issues.find((i) => i.path === 'contactEmail')?.found).toBeUndefined(); // no addresses echoed
    expect(issues[0].found).toBe('"0123456"');
  });

  it('counts lines of quoted fields that span lines', () => {
    const csv = `${HEADER}\n01234567,12345678,"Oost\nlocatie 2",msr,Anna,anna@oost.example.nl,signatory,\n07654321,bad,West,msr,Carla,carla@west.example.nl,signatory,`;
    // The name over two lines is itself refused (names are one line); the next row's line number still counts both.
    expect(brief(issuesOf(() => parseProvidersCsv(csv, 'p.csv')))).toEqual(['p.csv line 2 name', 'p.csv line 4 kvk']);
  });

  it('reports a bad header and a provider without signatory', () => {
    expect(brief(issuesOf(() => parseProvidersCsv('agb,kvk,naam\n1,2,3', 'p.csv')))).toEqual(
      expect.arrayContaining(['p.csv line 1 name', 'p.csv line 1 naam', 'p.csv line 1 contactRole']),
    );
    const csv = `${HEADER}\n01234567,12345678,Oost,msr,Anna,anna@oost.example.nl,general,`;
    expect(issuesOf(() => parseProvidersCsv(csv, 'p.csv'))[0].message).toMatch(/no signatory/);
  });

  it('picks the format by extension', () => {
    expect(formatOf('a/b.CSV')).toBe('csv');
    expect(formatOf('b.json')).toBe('json');
    expect(() => formatOf('b.xlsx')).toThrow(ValidationError);
  });
});

describe('JSON import', () => {
  const good = {
    agb: '01234567',
    kvk: '12345678',
    name: 'Oost',
    careTypes: ['msr'],
    contacts: [{ name: 'Anna', email: 'anna@oost.example.nl', role: 'signatory' }],
  };

  it('reads an array of providers with contacts', () => {
    expect(parseProvidersJson(JSON.stringify([good]))).toEqual([
      { ...good, contracts: [], contacts: [{ ...good.contacts[0], id: contactIdFor('anna@oost.example.nl') }] },
    ]);
  });

  it('names bad providers by line and field path', () => {
    const data = [
      good,
      { ...good, agb: '07654321', kvk: 'x', contacts: [{ ...good.contacts[0], email: 'nope' }] },
      { ...good, agb: '01234567' },
      { ...good, agb: '08888888', contacts: [{ ...good.contacts[0], role: 'general' }], extra: 1 },
    ];
    const text = JSON.stringify(data, null, 2);
    const lines = arrayElementLines(text);
    expect(brief(issuesOf(() => parseProvidersJson(text, 'p.json')))).toEqual([
      `p.json line ${lines[1]} [1].kvk`,
      `p.json line ${lines[1]} [1].contacts[0].email`,
      `p.json line ${lines[2]} [2].agb`,
      `p.json line ${lines[3]} [3]`,
    ]);
  });

  it('refuses names over several lines and addresses longer than RFC 5321 allows, naming where', () => {
    const data = [
      { ...good, name: 'Kliniek\r\nBcc: evil@example.com' },
      { ...good, agb: '07654321', contacts: [{ ...good.contacts[0], name: 'Anna\nde Vries', email: `${'a'.repeat(65)}@oost.example.nl` }] },
      { ...good, agb: '08888888', contacts: [{ ...good.contacts[0], email: `anna@${['b', 'c', 'd', 'e', 'f'].map((c) => c.repeat(60)).join('.')}.nl` }] },
    ];
    const text = JSON.stringify(data, null, 2);
    const issues = issuesOf(() => parseProvidersJson(text, 'p.json'));
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      '[0].name: one line of text, without line breaks or control characters',
      '[1].contacts[0].name: one line of text, without line breaks or control characters',
      '[1].contacts[0].email: an email address with at most 64 characters before the @ (RFC 5321)',
      '[2].contacts[0].email: an email address of at most 254 characters (RFC 5321)',
    ]);
    // The CSV import applies the same rules (a quoted cell may hold a line break).
    const csv = [HEADER, '01234567,12345678,"Oost\nBcc: x@example.com",msr,Anna,anna@oost.example.nl,signatory,'].join('\n');
    expect(brief(issuesOf(() => parseProvidersCsv(csv, 'p.csv')))).toEqual(['p.csv line 2 name']);
  });

  it('flags a missing signatory and two signatories', () => {
    const none = { ...good, contacts: [{ ...good.contacts[0], role: 'general' }] };
    const two = { ...good, agb: '07654321', contacts: [good.contacts[0], { name: 'B', email: 'b@oost.example.nl', role: 'signatory' }] };
    expect(brief(issuesOf(() => parseProvidersJson(JSON.stringify([none, two]), 'p.json')))).toEqual([
      'p.json line 1 [0].contacts',
      'p.json line 1 [1].contacts[1].role',
    ]);
  });

  it('finds the line of each top-level element', () => {
    expect(arrayElementLines('[\n  {"a": "x,\\"]"},\n  [1,\n 2],\n  3\n]')).toEqual([2, 3, 5]);
    expect(() => parseProvidersJson('{"not": "an array"}')).toThrow(/array/);
    expect(() => parseProvidersJson('[{,]')).toThrow(/not valid JSON/);
  });
});
