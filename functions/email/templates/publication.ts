/** Publications to every provider of a care type: the policy, its dates, questions and the Q&A memo. */
import { z } from 'zod';
import { action, list, p, paragraphs, strong } from '../layout.ts';
import { deadlinePhrase, formatDutchDate, periodLabel, periodPhrase } from '../format.ts';
import {
  actionUrl,
  defineTemplate,
  icsAttachment,
  icsText,
  keyDate,
  keyDateLine,
  localDate,
  providerParams,
  toProvider,
  when,
} from '../params.ts';

const title = (p: { careTypeName: string; contractYear: number; contractTermYears: 1 | 2 | 3 }) =>
  `${p.careTypeName} ${periodLabel(p)}`;

export const policyPublishedParams = providerParams.extend({
  keyDates: z.array(keyDate).min(1),
  /** The calendar as .ics text; sent as an attachment. */
  ics: icsText,
  policyUrl: actionUrl.optional(),
});
export type PolicyPublishedParams = z.input<typeof policyPublishedParams>;

export const policyPublished = defineTemplate('policy-published', policyPublishedParams, (x) =>
  toProvider(x, {
    subject: `Inkoopbeleid ${title(x)} gepubliceerd`,
    blocks: [
      p(`Wij hebben het inkoopbeleid ${x.careTypeName} voor ${periodPhrase(x)} gepubliceerd. Dit zijn de belangrijkste data:`),
      list(x.keyDates.map(keyDateLine)),
      p('In de bijlage vindt u deze data als agendabestand (.ics). Dat kunt u in uw eigen agenda importeren.'),
      ...when(x.policyUrl, (url) => action('Inkoopbeleid lezen', url)),
      p('Als wij een datum aanvullen of wijzigen, ontvangt u daarover bericht.'),
    ],
    attachments: [icsAttachment(x.careTypeName, x.contractYear, x.ics)],
  }),
);

export const calendarAmendedParams = providerParams.extend({
  milestoneTitle: z.string().trim().min(1),
  oldDate: localDate,
  newDate: localDate,
  reason: z.string().trim().min(1, 'the reason for the change'),
  /** Whether the date is a deadline: then both dates read "uiterlijk …, 23:59". */
  isDeadline: z.boolean().default(false),
  /** The amended calendar as .ics text, attached when given. */
  ics: icsText.optional(),
  actionUrl: actionUrl.optional(),
});
export type CalendarAmendedParams = z.input<typeof calendarAmendedParams>;

export const calendarAmended = defineTemplate('calendar-amended', calendarAmendedParams, (x) => {
  const show = (d: string) => (x.isDeadline ? deadlinePhrase(d) : formatDutchDate(d));
  return toProvider(x, {
    subject: `Gewijzigde datum: ${x.milestoneTitle} – ${title(x)}`,
    blocks: [
      p(`Wij hebben een datum in de inkoopkalender ${x.careTypeName} voor ${periodPhrase(x)} gewijzigd.`),
      list([`Onderdeel: ${x.milestoneTitle}`, `Was: ${show(x.oldDate)}`, `Wordt: ${show(x.newDate)}`, `Reden: ${x.reason}`]),
      p('De nieuwe datum vervangt de oude. Alle andere data blijven zoals ze waren.'),
      ...when(x.actionUrl, (url) => action('Actuele inkoopkalender bekijken', url)),
    ],
    ...(x.ics ? { attachments: [icsAttachment(x.careTypeName, x.contractYear, x.ics)] } : {}),
  });
});

export const nextYearDatesParams = providerParams.extend({
  nextContractYear: z.number().int().min(2000).max(2100),
  keyDates: z.array(keyDate).min(1),
  ics: icsText.optional(),
  policyUrl: actionUrl.optional(),
});
export type NextYearDatesParams = z.input<typeof nextYearDatesParams>;

export const nextYearDates = defineTemplate('next-year-dates', nextYearDatesParams, (x) =>
  toProvider(x, {
    subject: `Data voor contractjaar ${x.nextContractYear} – ${x.careTypeName}`,
    blocks: [
      p(`Wij hebben de data voor ${x.careTypeName}, contractjaar ${x.nextContractYear}, gepubliceerd. Dit zijn de belangrijkste data:`),
      list(x.keyDates.map(keyDateLine)),
      ...when(x.ics, () => p('In de bijlage vindt u deze data als agendabestand (.ics).')),
      ...when(x.policyUrl, (url) => action('Inkoopbeleid lezen', url)),
    ],
    ...(x.ics ? { attachments: [icsAttachment(x.careTypeName, x.nextContractYear, x.ics)] } : {}),
  }),
);

export const questionsDeadlineReminderParams = providerParams.extend({ deadline: localDate, actionUrl });
export type QuestionsDeadlineReminderParams = z.input<typeof questionsDeadlineReminderParams>;

export const questionsDeadlineReminder = defineTemplate(
  'questions-deadline-reminder',
  questionsDeadlineReminderParams,
  (x) =>
    toProvider(x, {
      subject: `Vragen en bezwaren over het inkoopbeleid ${title(x)}: uiterlijk ${formatDutchDate(x.deadline)}`,
      blocks: [
        p(
          `Heeft u vragen over het inkoopbeleid ${x.careTypeName} voor ${periodPhrase(x)}, of wilt u bezwaar maken tegen het beleid? `,
          'Dien uw vraag of bezwaar dan ',
          strong(deadlinePhrase(x.deadline)),
          ' in.',
        ),
        action('Vraag of bezwaar indienen', x.actionUrl),
        p('Antwoorden die voor alle zorgaanbieders van belang zijn, publiceren wij in een Nota van Inlichtingen.'),
      ],
    }),
);

export const questionReceivedParams = providerParams.extend({
  questionReference: z.string().trim().min(1).optional(),
  /** When the Q&A memo is due, if the calendar has one. */
  qaMemoDate: localDate.optional(),
});
export type QuestionReceivedParams = z.input<typeof questionReceivedParams>;

export const questionReceived = defineTemplate('question-received', questionReceivedParams, (x) =>
  toProvider(x, {
    subject: `Bevestiging: uw vraag over het inkoopbeleid ${title(x)}`,
    blocks: [
      p(
        `Wij hebben uw vraag${x.questionReference ? ` (kenmerk ${x.questionReference})` : ''} over het inkoopbeleid `,
        `${x.careTypeName} voor ${periodPhrase(x)} ontvangen. Dank u wel.`,
      ),
      p(
        'Antwoorden die voor alle zorgaanbieders van belang zijn, publiceren wij ',
        x.qaMemoDate ? `uiterlijk ${formatDutchDate(x.qaMemoDate)} ` : '',
        'in de Nota van Inlichtingen.',
      ),
    ],
  }),
);

export const questionAnsweredParams = providerParams.extend({
  questionReference: z.string().trim().min(1),
  kind: z.enum(['question', 'objection']),
  question: z.string().trim().min(1, 'the question as the provider asked it'),
  answer: z.string().trim().min(1, 'the answer'),
});
export type QuestionAnsweredParams = z.input<typeof questionAnsweredParams>;

/** A private answer: only to the provider that asked, never in the Q&A memo. */
export const questionAnswered = defineTemplate('question-answered', questionAnsweredParams, (x) => {
  const noun = x.kind === 'objection' ? 'bezwaar' : 'vraag';
  return toProvider(x, {
    subject: `Antwoord op uw ${noun} over het inkoopbeleid ${title(x)}`,
    blocks: [
      p(`U heeft ons een ${noun} gestuurd over het inkoopbeleid ${x.careTypeName} voor ${periodPhrase(x)} (kenmerk ${x.questionReference}):`),
      ...paragraphs(x.question),
      p(strong(x.kind === 'objection' ? 'Onze reactie' : 'Ons antwoord')),
      ...paragraphs(x.answer),
      p('Dit antwoord is alleen aan u gestuurd. Het staat niet in de Nota van Inlichtingen.'),
    ],
  });
});

export const qaMemoPublishedParams = providerParams.extend({ actionUrl });
export type QaMemoPublishedParams = z.input<typeof qaMemoPublishedParams>;

export const qaMemoPublished = defineTemplate('qa-memo-published', qaMemoPublishedParams, (x) =>
  toProvider(x, {
    subject: `Nota van Inlichtingen ${title(x)} gepubliceerd`,
    blocks: [
      p(
        `Wij hebben de Nota van Inlichtingen bij het inkoopbeleid ${x.careTypeName} voor ${periodPhrase(x)} gepubliceerd. `,
        'Hierin staan de antwoorden op vragen die voor alle zorgaanbieders van belang zijn.',
      ),
      p('De Nota van Inlichtingen hoort bij het inkoopbeleid. Wij raden u aan deze goed te lezen.'),
      action('Nota van Inlichtingen lezen', x.actionUrl),
    ],
  }),
);
