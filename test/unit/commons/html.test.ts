import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw } from '../../../functions/commons/html.ts';

describe('escapeHtml', () => {
  it('escapes the five special characters wherever they are, every time', () => {
    for (let round = 0; round < 3; round++) {
      expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
      expect(escapeHtml(`a & b`)).toBe('a &amp; b');
      expect(escapeHtml(`Zorg & Co <b>"De 'Brug'"</b> &amp;`)).toBe('Zorg &amp; Co &lt;b&gt;&quot;De &#39;Brug&#39;&quot;&lt;/b&gt; &amp;amp;');
    }
  });

  it('returns text without special characters as it is', () => {
    for (const text of ['', 'Revalidatiecentrum De Hoogstraat', 'één – twee', 'https://x.example.nl/l/tok-123?a=1']) {
      expect(escapeHtml(text)).toBe(text);
    }
  });
});

describe('html', () => {
  it('escapes interpolations, keeps SafeHtml, joins arrays and drops null, undefined and false', () => {
    const name = '<i>x</i> & y';
    const out = html`<p title="${name}">${[name, raw('<br>'), 3]}${null}${undefined}${false}${html`<b>${'"'}</b>`}</p>`;
    expect(out.value).toBe('<p title="&lt;i&gt;x&lt;/i&gt; &amp; y">&lt;i&gt;x&lt;/i&gt; &amp; y<br>3<b>&quot;</b></p>');
    expect(html`plain`.value).toBe('plain');
    expect(html`${'a'}${'b'}`.value).toBe('ab');
  });
});
