import { describe, expect, it } from 'vitest';
import { html } from '../../../functions/commons/html.ts';
import { page } from '../../../functions/dashboard/layout.ts';

describe('the dashboard frame', () => {
  it('keeps the <title> on one line whatever a provider name holds', () => {
    const clock = { now: '2020-09-01T07:00:00Z', nowLocal: '1 september 2020 09:00', canAdvance: false, nextWakeUp: null };
    const out = page({ title: 'Kliniek\r\nBcc: evil@example.com <x>', body: html`<p>x</p>` }, { csrf: 't', clock }).value;
    const title = /<title>([\s\S]*?)<\/title>/.exec(out)?.[1];
    expect(title).toBe('Kliniek Bcc: evil@example.com &lt;x&gt; - inkoopkalender');
  });
});
