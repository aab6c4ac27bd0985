import { describe, expect, it } from 'vitest';
import { correctContactSchema } from '../../../functions/operators/contacts.ts';

describe('correcting a contact address (operator API, dashboard, CLI)', () => {
  it('holds the new address to RFC 5321 like every address that enters', () => {
    const input = (email: string) => correctContactSchema.safeParse({ contact: 'c-1', email, reason: 'gebeld' });
    expect(input(`${'a'.repeat(64)}@praktijk.example`).success).toBe(true);
    expect(input(`${'a'.repeat(487)}@praktijk.example`).error?.issues.map((i) => i.message)).toEqual(['an email address of at most 254 characters (RFC 5321)']);
    expect(input(`${'a'.repeat(65)}@praktijk.example`).error?.issues.map((i) => i.message)).toEqual([
      'an email address with at most 64 characters before the @ (RFC 5321)',
    ]);
  });
});
