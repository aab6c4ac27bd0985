/**
 * One small document model for every email, rendered twice: as HTML and as
 * plain text. Templates build blocks of plain strings; only this module writes
 * markup, and it escapes every string it is given, so a provider name like
 * `Zorg & Co <b>` can never inject HTML.
 */
import { escapeHtml } from '../commons/html.ts';
import { oneLine } from '../commons/text.ts';

/** A run of text; `{ strong }` is emphasised in HTML (deadlines). */
export type Inline = string | { strong: string };

export type Block =
  | { type: 'p'; parts: Inline[] }
  | { type: 'action'; label: string; url: string }
  | { type: 'list'; items: string[] }
  | { type: 'facts'; rows: Array<readonly [string, string]> };

export interface Attachment {
  filename: string;
  contentType: string;
  content: string;
}

/** What a template produces before rendering. */
export interface EmailDraft {
  subject: string;
  greeting: string;
  blocks: Block[];
  attachments?: Attachment[];
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  attachments?: Attachment[];
}

export const p = (...parts: Inline[]): Block => ({ type: 'p', parts });
export const strong = (text: string): Inline => ({ strong: text });
/** Someone's own text (feedback, a question, an answer): its blank-line separated paragraphs. */
export const paragraphs = (text: string): Block[] => text.split(/\n\s*\n/).map((para) => p(para.trim()));
export const list = (items: string[]): Block => ({ type: 'list', items });
export const facts = (rows: Array<readonly [string, string] | undefined | false>): Block => ({
  type: 'facts',
  rows: rows.filter((r): r is readonly [string, string] => !!r),
});
export function action(label: string, url: string): Block {
  // The param schemas already only accept http(s) links; this is the last guard against `javascript:`.
  if (!/^https?:\/\//i.test(url)) throw new Error(`action link must be http(s): ${label}`);
  return { type: 'action', label, url };
}

const SIGN_OFF = ['Met vriendelijke groet,', 'Afdeling Zorginkoop'];
const FOOTER = 'Dit bericht is automatisch verstuurd. Heeft u vragen? Neem dan contact op met uw zorginkoper.';

export { escapeHtml };

const inlineHtml = (parts: Inline[]): string =>
  parts.map((part) => (typeof part === 'string' ? escapeHtml(part) : `<strong>${escapeHtml(part.strong)}</strong>`)).join('');
const inlineText = (parts: Inline[]): string => parts.map((part) => (typeof part === 'string' ? part : part.strong)).join('');

const BUTTON =
  'display:inline-block;padding:10px 18px;background:#00589c;color:#ffffff;text-decoration:none;border-radius:4px;font-weight:bold;';

function blockHtml(block: Block): string {
  switch (block.type) {
    case 'p':
      return `<p>${inlineHtml(block.parts)}</p>`;
    case 'action': {
      const href = escapeHtml(block.url);
      return (
        `<p><a href="${href}" style="${BUTTON}">${escapeHtml(block.label)}</a></p>\n` +
        `<p style="font-size:13px;color:#555555;">Werkt de knop niet? Kopieer dan deze link naar uw browser:<br>` +
        `<a href="${href}" style="color:#00589c;word-break:break-all;">${href}</a></p>`
      );
    }
    case 'list':
      return `<ul>\n${block.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('\n')}\n</ul>`;
    case 'facts':
      return (
        `<table role="presentation" style="border-collapse:collapse;margin:0 0 16px 0;">\n` +
        block.rows
          .map(
            ([label, value]) =>
              `<tr><td style="padding:2px 16px 2px 0;color:#555555;">${escapeHtml(label)}</td>` +
              `<td style="padding:2px 0;">${escapeHtml(value)}</td></tr>`,
          )
          .join('\n') +
        `\n</table>`
      );
  }
}

function blockText(block: Block): string {
  switch (block.type) {
    case 'p':
      return inlineText(block.parts);
    case 'action':
      return `${block.label}:\n${block.url}`;
    case 'list':
      return block.items.map((item) => `- ${item}`).join('\n');
    case 'facts':
      return block.rows.map(([label, value]) => `${label}: ${value}`).join('\n');
  }
}

/** The frame around the blocks is the same for every email: written once. */
const HTML_HEAD =
  '<!DOCTYPE html>\n<html lang="nl">\n' +
  '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">\n<title>';
const HTML_BODY =
  '</title></head>\n<body style="margin:0;padding:0;background:#f4f4f4;">\n' +
  '<div style="max-width:600px;margin:0 auto;padding:24px;background:#ffffff;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1a1a1a;">\n';
const HTML_END =
  `\n<p>${SIGN_OFF.map(escapeHtml).join('<br>')}</p>\n` +
  `<p style="margin-top:32px;font-size:12px;color:#777777;">${escapeHtml(FOOTER)}</p>\n</div>\n</body>\n</html>`;
const TEXT_END = `\n\n${SIGN_OFF.join('\n')}\n\n--\n${FOOTER}\n`;

export function renderDraft(draft: EmailDraft): RenderedEmail {
  // Names in a subject were checked on input; a line break must still never reach the header.
  const subject = oneLine(draft.subject);
  let html = `${HTML_HEAD}${escapeHtml(subject)}${HTML_BODY}<p>${escapeHtml(draft.greeting)}</p>`;
  let text = draft.greeting;
  for (const block of draft.blocks) {
    html += `\n${blockHtml(block)}`;
    text += `\n\n${blockText(block)}`;
  }
  return {
    subject,
    html: html + HTML_END,
    text: text + TEXT_END,
    ...(draft.attachments?.length ? { attachments: draft.attachments } : {}),
  };
}
