/** The frame of a public page (Dutch, plain, readable without scripts). */
import { createHash } from 'node:crypto';
import { html, raw, type SafeHtml } from '../commons/html.ts';

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1b1b1b;margin:0;background:#fff}
main{max-width:52rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ccc;vertical-align:top}
th{background:#f3f3f3}
.meta{background:#f6f8fa;border-left:4px solid #0b5cad;padding:.75rem 1rem;margin:1rem 0}
.meta p{margin:.25rem 0}
.note{font-style:italic}
`;

/**
 * The public documents' policy: no scripts, no plugins, no forms, only the page's own style.
 * Served as a header by whatever serves the documents (the local runtime's server; in AWS
 * the insurer's website), and also as a meta tag in the page itself, so it holds wherever
 * the file is served from (a meta tag cannot carry frame-ancestors: that one is header-only).
 */
const DOCUMENT_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'; base-uri 'none'; form-action 'none'`;

/** The headers a server of the public documents sends with each of them. */
export const PUBLICATION_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': `${DOCUMENT_CSP}; frame-ancestors 'none'`,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

export function publicPage(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${raw(DOCUMENT_CSP)}">
<title>${title}</title>
<style>${raw(CSS)}</style>
</head>
<body>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`.value;
}
