/**
 * Control characters in text people type. A one-line value (a name, an
 * organisation) with a CR or LF ends up in an email Subject, a page <title>,
 * a signature line: `Kliniek\r\nBcc: …` is header injection waiting for the
 * one place that forgets to encode. Input refuses them (forms, import, API);
 * the places that build headers and titles flatten them again (defence in depth).
 */

/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
/** Multi-line text may keep tab, LF and CR; nothing else below the space. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** True when a one-line value holds a control character or a line break. */
export const hasControlCharacters = (value: string): boolean => CONTROL.test(value);

/** True when multi-line text holds a control character other than tab, LF or CR. */
export const hasControlCharactersInText = (value: string): boolean => CONTROL_EXCEPT_LINES.test(value);

/** One line for a header or a title: every run of control characters becomes one space. */
export const oneLine = (value: string): string => (CONTROL.test(value) ? value.replace(CONTROLS, ' ').trim() : value);

/**
 * RFC 5321 4.5.3.1: at most 64 octets before the `@`, and a path of at most 256
 * octets including the angle brackets, so 254 for the address itself.
 */
export const MAX_EMAIL_LOCAL_PART = 64;
export const MAX_EMAIL_ADDRESS = 254;

/** The RFC 5321 length limits, in UTF-8 octets. */
export function emailLengthProblem(address: string): 'local-part' | 'total' | undefined {
  const at = address.lastIndexOf('@');
  if (Buffer.byteLength(address, 'utf8') > MAX_EMAIL_ADDRESS) return 'total';
  if (at >= 0 && Buffer.byteLength(address.slice(0, at), 'utf8') > MAX_EMAIL_LOCAL_PART) return 'local-part';
  return undefined;
}
