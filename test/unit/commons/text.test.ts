import { describe, expect, it } from 'vitest';
import { emailLengthProblem, hasControlCharacters, hasControlCharactersInText, oneLine } from '../../../functions/commons/text.ts';

describe('control characters', () => {
  it('one-line values: no CR, LF, NUL, DEL, C1 controls or Unicode line separators', () => {
    for (const bad of ['a\rb', 'a\nb', 'a\u0000', 'a\u007f', 'a\u0085b', 'a\u2028b', 'a\u2029b', 'a\tb']) expect(hasControlCharacters(bad)).toBe(true);
    expect(hasControlCharacters('Zien & Horen – Noord (€)')).toBe(false);
  });

  it('multi-line text keeps tab, CR and LF only', () => {
    expect(hasControlCharactersInText('regel 1\r\nregel 2\tx')).toBe(false);
    expect(hasControlCharactersInText('a\u0000')).toBe(true);
    expect(hasControlCharactersInText('a\u001b[31m')).toBe(true);
  });

  it('oneLine flattens each run of them to one space', () => {
    expect(oneLine('Kliniek\r\nBcc: evil@example.com')).toBe('Kliniek Bcc: evil@example.com');
    expect(oneLine('plain')).toBe('plain');
  });
});

describe('RFC 5321 address lengths', () => {
  it('64 octets before the @, 254 in all', () => {
    expect(emailLengthProblem(`${'a'.repeat(64)}@example.nl`)).toBeUndefined();
    expect(emailLengthProblem(`${'a'.repeat(65)}@example.nl`)).toBe('local-part');
    expect(emailLengthProblem(`${'a'.repeat(487)}@example.nl`)).toBe('total');
    expect(emailLengthProblem(`a@${'b'.repeat(253)}`)).toBe('total');
    expect(emailLengthProblem(`a@${'b'.repeat(252)}`)).toBeUndefined();
  });
});
