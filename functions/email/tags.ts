/**
 * SES message tags. Every email carries its outbox message key as the tag
 * `message-key`, so an SES event (functions/delivery/) finds its message
 * without an index on SES message ids.
 *
 * SES tag values allow only ASCII letters, digits, `_` and `-`, at most 256
 * characters; message keys contain `#` and `@`. The message key is therefore
 * encoded reversibly: every other character becomes `_` and two hex digits
 * (its UTF-8 bytes), `_` itself included. A value that would be longer than
 * 256 characters is not a valid tag; message keys are far shorter.
 */
export const MESSAGE_KEY_TAG = 'message-key';
export const MAX_TAG_VALUE_LENGTH = 256;

const PLAIN = /[A-Za-z0-9-]/;

/** A tag value for display tags (template, cycle): lossy, readable. */
export const tagValue = (s: string): string => s.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, MAX_TAG_VALUE_LENGTH) || '_';

/** The reversible tag value of a message key (see the module comment). */
export function encodeTagValue(s: string): string {
  let out = '';
  for (const ch of s) {
    if (PLAIN.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The message key of an encoded tag value; undefined when it is not one. */
export function decodeTagValue(value: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; ) {
    if (value[i] === '_') {
      const hex = value.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else if (PLAIN.test(value[i])) {
      bytes.push(value.charCodeAt(i));
      i += 1;
    } else return undefined;
  }
  const text = Buffer.from(bytes).toString('utf8');
  return encodeTagValue(text) === value ? text : undefined;
}
