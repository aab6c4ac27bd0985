/**
 * The Q&A memo ("Nota van Inlichtingen", Wlz step 4): the answers of general
 * interest to questions and objections about the policy, published for every
 * provider. Anonymous: who asked is never shown.
 */
import { formatDutchDate } from '../calendar/time.ts';
import type { Cycle, Question } from '../domain/model.ts';
import { html } from '../commons/html.ts';
import { publicPage } from './page.ts';
import type { PublicationStore } from './store.ts';

export const QA_MEMO_FILE = 'nota-van-inlichtingen.html';

const periodLabel = (c: Pick<Cycle, 'contract'>): string =>
  c.contract.termYears === 1 ? String(c.contract.firstYear) : `${c.contract.firstYear}–${c.contract.firstYear + c.contract.termYears - 1}`;

export function qaMemoHtml(input: { cycle: Pick<Cycle, 'careType' | 'contract'>; questions: readonly Question[]; now: number }): string {
  const { cycle } = input;
  // Public and answered only, in the order they were asked.
  const answered = input.questions.filter((q) => q.public && q.answer).sort((a, b) => a.askedAt.localeCompare(b.askedAt) || a.id.localeCompare(b.id));
  const title = `Nota van Inlichtingen inkoopbeleid ${cycle.careType.name} ${periodLabel(cycle)}`;
  const body = html`<div class="meta">
<p><strong>Gepubliceerd:</strong> ${formatDutchDate(input.now)}</p>
<p>In deze Nota van Inlichtingen staan de antwoorden op vragen en bezwaren over het inkoopbeleid die voor alle zorgaanbieders van belang zijn. De nota hoort bij het inkoopbeleid.</p>
</div>
${
  answered.length
    ? answered.map(
        (q, i) => html`<h2>${i + 1}. ${q.kind === 'objection' ? 'Bezwaar' : 'Vraag'}</h2>
<p>${q.text}</p>
<p><strong>Antwoord:</strong> ${q.answer!.text}</p>
`,
      )
    : html`<p>Er zijn geen vragen of bezwaren van algemeen belang ontvangen.</p>`
}`;
  return publicPage(title, body);
}

export async function publishQaMemo(
  publications: PublicationStore,
  input: { cycle: Pick<Cycle, 'id' | 'careType' | 'contract'>; questions: readonly Question[]; now: number },
): Promise<{ url: string; count: number }> {
  const { url } = await publications.put(`${input.cycle.id}/${QA_MEMO_FILE}`, qaMemoHtml(input), 'text/html; charset=utf-8');
  return { url, count: input.questions.filter((q) => q.public && q.answer).length };
}
