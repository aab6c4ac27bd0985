/** Conditions, agreement, proposal, negotiation agreement, signing, outcome; plus reminders and missed deadlines. */
import { z } from 'zod';
import type { ProviderAction } from '../../calendar/schema.ts';
import { action, p, strong } from '../layout.ts';
import { days, deadlinePhrase, formatDutchDate, periodLabel, periodPhrase } from '../format.ts';
import { actionUrl, defineTemplate, localDate, providerAction, providerParams, toProvider, when } from '../params.ts';

const title = (p: { careTypeName: string; contractYear: number; contractTermYears: 1 | 2 | 3 }) =>
  `${p.careTypeName} ${periodLabel(p)}`;

/** How each provider action reads in a reminder: "Wilt u uiterlijk … <todo>?" */
export const ACTION_WORDING: Record<ProviderAction, { todo: string; subject: string; button: string }> = {
  'request-registration': { todo: 'zich aanmelden als nieuwe zorgaanbieder', subject: 'aanmelden', button: 'Naar het aanmeldformulier' },
  'submit-registration': {
    todo: 'uw aanmelding afronden en de gevraagde documenten aanleveren',
    subject: 'aanmelding afronden',
    button: 'Aanmelding afronden',
  },
  'declare-conditions': {
    todo: 'verklaren dat u voldoet aan de kwaliteitsvoorwaarden',
    subject: 'kwaliteitsvoorwaarden verklaren',
    button: 'Kwaliteitsvoorwaarden verklaren',
  },
  'submit-proposal': {
    todo: 'uw voorstel voor de financiële afspraak indienen',
    subject: 'voorstel financiële afspraak',
    button: 'Voorstel indienen',
  },
  'accept-negotiation-agreement': {
    todo: 'het onderhandelakkoord accepteren',
    subject: 'onderhandelakkoord accepteren',
    button: 'Onderhandelakkoord bekijken',
  },
  'sign-agreement': { todo: 'de overeenkomst ondertekenen', subject: 'overeenkomst ondertekenen', button: 'Overeenkomst ondertekenen' },
  'ask-question': {
    todo: 'uw vragen of bezwaren over het inkoopbeleid indienen',
    subject: 'vragen en bezwaren',
    button: 'Vraag of bezwaar indienen',
  },
  withdraw: { todo: 'uw aanmelding intrekken', subject: 'aanmelding intrekken', button: 'Aanmelding intrekken' },
};

export const reminderParams = providerParams.extend({
  action: providerAction,
  deadline: localDate,
  actionUrl,
  /** Days left until the deadline, as the reminder step counts them. */
  daysLeft: z.number().int().positive().optional(),
});
export type ReminderParams = z.input<typeof reminderParams>;

export const reminder = defineTemplate('reminder', reminderParams, (x) => {
  const wording = ACTION_WORDING[x.action];
  return toProvider(x, {
    subject: `Herinnering: ${wording.subject} uiterlijk ${formatDutchDate(x.deadline)} – ${title(x)}`,
    blocks: [
      p(`Wij hebben van ${x.providerName} nog geen reactie ontvangen voor ${x.careTypeName} (${periodPhrase(x)}).`),
      p(
        'Wilt u ',
        strong(deadlinePhrase(x.deadline)),
        ` ${wording.todo}?`,
        x.daysLeft ? ` U heeft daarvoor nog ${days(x.daysLeft)}.` : '',
      ),
      action(wording.button, x.actionUrl),
      p('Heeft u dit inmiddels gedaan? Dan kunt u deze herinnering negeren.'),
    ],
  });
});

export const conditionsRequestParams = providerParams.extend({ deadline: localDate, actionUrl });
export type ConditionsRequestParams = z.input<typeof conditionsRequestParams>;

export const conditionsRequest = defineTemplate('conditions-request', conditionsRequestParams, (x) =>
  toProvider(x, {
    subject: `Verklaring kwaliteitsvoorwaarden – ${title(x)}`,
    blocks: [
      p(
        `${x.providerName} heeft een overeenkomst ${x.careTypeName} met ons. `,
        `Voor ${periodPhrase(x)} vragen wij u te verklaren dat u voldoet aan de kwaliteitsvoorwaarden.`,
      ),
      p('Wij ontvangen uw verklaring graag ', strong(deadlinePhrase(x.deadline)), '.'),
      action('Kwaliteitsvoorwaarden verklaren', x.actionUrl),
      p(`Zonder tijdige verklaring kunnen wij voor ${periodPhrase(x)} geen overeenkomst met u sluiten.`),
    ],
  }),
);

export const conditionsConfirmedParams = providerParams.extend({});
export type ConditionsConfirmedParams = z.input<typeof conditionsConfirmedParams>;

export const conditionsConfirmed = defineTemplate('conditions-confirmed', conditionsConfirmedParams, (x) =>
  toProvider(x, {
    subject: `Bevestiging: verklaring kwaliteitsvoorwaarden ontvangen – ${title(x)}`,
    blocks: [
      p(
        `Wij hebben de verklaring van ${x.providerName} ontvangen dat u voldoet aan de kwaliteitsvoorwaarden `,
        `voor ${x.careTypeName} (${periodPhrase(x)}). Dank u wel.`,
      ),
      p('U ontvangt van ons bericht over de volgende stap.'),
    ],
  }),
);

const MISSED = {
  conditions: { subject: 'verklaring kwaliteitsvoorwaarden', noun: 'de verklaring over de kwaliteitsvoorwaarden', it: 'deze' },
  proposal: { subject: 'voorstel financiële afspraak', noun: 'het voorstel voor de financiële afspraak', it: 'dit' },
} as const;

export const deadlineMissedParams = providerParams.extend({
  missed: z.enum(['conditions', 'proposal']),
  deadline: localDate,
});
export type DeadlineMissedParams = z.input<typeof deadlineMissedParams>;

export const deadlineMissed = defineTemplate('deadline-missed', deadlineMissedParams, (x) =>
  toProvider(x, {
    subject: `Termijn verstreken: ${MISSED[x.missed].subject} – ${title(x)}`,
    blocks: [
      p(
        `Wij hadden ${MISSED[x.missed].noun} van ${x.providerName} `,
        strong(deadlinePhrase(x.deadline)),
        ` nodig. Wij hebben ${MISSED[x.missed].it} niet op tijd ontvangen.`,
      ),
      p(
        `Daarom is uw inschrijving voor ${x.careTypeName} (${periodPhrase(x)}) vervallen. `,
        'Wij kunnen voor deze periode geen overeenkomst met u sluiten.',
      ),
    ],
  }),
);

const agreementBase = providerParams.extend({ agreementUrl: actionUrl.optional() });
export const agreementAvailableParams = z.discriminatedUnion('proposalRequested', [
  agreementBase.extend({ proposalRequested: z.literal(false) }),
  /** In negotiation: the provider submits a financial proposal through the link, by the deadline. */
  agreementBase.extend({ proposalRequested: z.literal(true), deadline: localDate, actionUrl }),
]);
export type AgreementAvailableParams = z.input<typeof agreementAvailableParams>;

export const agreementAvailable = defineTemplate('agreement-available', agreementAvailableParams, (x) =>
  toProvider(x, {
    subject: `Overeenkomst ${title(x)} beschikbaar`,
    blocks: [
      p(`De overeenkomst ${x.careTypeName} voor ${periodPhrase(x)} is beschikbaar.`),
      ...when(x.agreementUrl, (url) => action('Overeenkomst bekijken', url)),
      ...(x.proposalRequested
        ? [
            p(
              `${x.providerName} is met ons in gesprek over ${periodPhrase(x)}. `,
              'Wij ontvangen uw voorstel voor de financiële afspraak graag ',
              strong(deadlinePhrase(x.deadline)),
              '.',
            ),
            action('Voorstel indienen', x.actionUrl),
          ]
        : [p('U hoeft nu niets te doen. Wij sturen u bericht over de volgende stap.')]),
    ],
  }),
);

export const proposalReceivedParams = providerParams
  .extend({
    /** The proposal deadline: until then the proposal may be amended through `actionUrl`. */
    deadline: localDate.optional(),
    actionUrl: actionUrl.optional(),
  })
  .refine((x) => (x.deadline === undefined) === (x.actionUrl === undefined), {
    message: 'an amendable proposal has both a deadline and a link; one without neither',
    path: ['actionUrl'],
  });
export type ProposalReceivedParams = z.input<typeof proposalReceivedParams>;

export const proposalReceived = defineTemplate('proposal-received', proposalReceivedParams, (x) =>
  toProvider(x, {
    subject: `Bevestiging: voorstel financiële afspraak ontvangen – ${title(x)}`,
    blocks: [
      p(
        `Wij hebben het voorstel voor de financiële afspraak van ${x.providerName} `,
        `voor ${x.careTypeName} (${periodPhrase(x)}) ontvangen. Dank u wel.`,
      ),
      ...when(x.deadline && x.actionUrl ? { deadline: x.deadline, url: x.actionUrl } : undefined,
        ({ deadline }) => p('Tot de uiterste datum kunt u uw voorstel nog wijzigen: ', strong(deadlinePhrase(deadline)), '.'),
        ({ url }) => action('Voorstel bekijken of wijzigen', url),
        () => p('Deze link is persoonlijk. Stuur deze e-mail daarom niet door.'),
      ),
      p('Uw zorginkoper neemt contact met u op over het vervolg.'),
    ],
  }),
);

export const negotiationAgreementOfferedParams = providerParams.extend({
  deadline: localDate,
  actionUrl,
  /** MSR: signing the negotiation agreement also signs all quality conditions at once. */
  includesQualityConditions: z.boolean().default(false),
  /** ZG: offered when the talks start, to be accepted once the provider and the purchaser agree (no date for that). */
  acceptOnceAgreed: z.boolean().default(false),
});
export type NegotiationAgreementOfferedParams = z.input<typeof negotiationAgreementOfferedParams>;

export const negotiationAgreementOffered = defineTemplate(
  'negotiation-agreement-offered',
  negotiationAgreementOfferedParams,
  (x) =>
    toProvider(x, {
      subject: `Onderhandelakkoord ${title(x)} klaar`,
      blocks: [
        x.acceptOnceAgreed
          ? p(
              `De inkoopgesprekken tussen ${x.providerName} en ons over ${x.careTypeName} (${periodPhrase(x)}) zijn gestart. `,
              'Zodra u en uw zorginkoper mondeling overeenstemming hebben, legt u de afspraken vast door het onderhandelakkoord ',
              'via de link hieronder te bekijken en te accepteren.',
            )
          : p(
              `De afspraken tussen ${x.providerName} en ons over ${x.careTypeName} (${periodPhrase(x)}) `,
              'zijn vastgelegd in een onderhandelakkoord. Via de link hieronder kunt u het bekijken en accepteren.',
            ),
        ...when(
          x.includesQualityConditions,
          () => p('Met de ondertekening van het onderhandelakkoord ondertekent u in één keer ook alle kwaliteitsvoorwaarden.'),
        ),
        p('Wij ontvangen uw akkoord graag ', strong(deadlinePhrase(x.deadline)), '.'),
        action('Onderhandelakkoord bekijken en accepteren', x.actionUrl),
      ],
    }),
);

export const agreementAcceptedParams = providerParams.extend({
  /** The signing deadline (31 December in the Zvw calendars). */
  deadline: localDate,
  /** The signatory's link. */
  actionUrl,
  signatoryName: z.string().trim().min(1).optional(),
});
export type AgreementAcceptedParams = z.input<typeof agreementAcceptedParams>;

export const agreementAccepted = defineTemplate('agreement-accepted', agreementAcceptedParams, (x) =>
  toProvider(x, {
    subject: `Overeenkomst ${title(x)} ondertekenen`,
    blocks: [
      p(`${x.providerName} heeft het onderhandelakkoord voor ${x.careTypeName} (${periodPhrase(x)}) geaccepteerd. Dank u wel.`),
      p(
        `De overeenkomst moet nu nog worden ondertekend door een tekenbevoegde van ${x.providerName}`,
        x.signatoryName ? ` (${x.signatoryName})` : '',
        '. Wij ontvangen de ondertekende overeenkomst graag ',
        strong(deadlinePhrase(x.deadline)),
        '.',
      ),
      action('Overeenkomst ondertekenen', x.actionUrl),
      p('Deze link is alleen bedoeld voor de tekenbevoegde. Stuur deze e-mail daarom niet door.'),
    ],
  }),
);

export const agreementSignedParams = providerParams.extend({});
export type AgreementSignedParams = z.input<typeof agreementSignedParams>;

export const agreementSigned = defineTemplate('agreement-signed', agreementSignedParams, (x) =>
  toProvider(x, {
    subject: `Bevestiging: overeenkomst ${title(x)} ondertekend`,
    blocks: [
      p(`Wij hebben de ondertekende overeenkomst ${x.careTypeName} voor ${periodPhrase(x)} van ${x.providerName} ontvangen. Dank u wel.`),
    ],
  }),
);

export const contractedParams = providerParams.extend({});
export type ContractedParams = z.input<typeof contractedParams>;

export const contracted = defineTemplate('contracted', contractedParams, (x) =>
  toProvider(x, {
    subject: `${x.providerName} gecontracteerd voor ${title(x)}`,
    blocks: [
      p(
        `De overeenkomst ${x.careTypeName} voor ${periodPhrase(x)} is ondertekend. `,
        strong(`${x.providerName} is gecontracteerd voor ${periodPhrase(x)}.`),
      ),
      p('Wij kijken uit naar een goede samenwerking.'),
    ],
  }),
);

export const notContractedParams = providerParams.extend({ reason: z.string().trim().min(1).optional() });
export type NotContractedParams = z.input<typeof notContractedParams>;

export const notContracted = defineTemplate('not-contracted', notContractedParams, (x) =>
  toProvider(x, {
    subject: `Geen overeenkomst ${title(x)}`,
    blocks: [
      p(`Voor ${periodPhrase(x)} sluiten wij geen overeenkomst ${x.careTypeName} met ${x.providerName}.`),
      ...when(x.reason, (reason) => p(`De reden: ${reason}`)),
      p('Wilt u dit toegelicht krijgen? Neem dan contact op met uw zorginkoper.'),
    ],
  }),
);

export const agreementsFinalParams = providerParams.extend({});
export type AgreementsFinalParams = z.input<typeof agreementsFinalParams>;

export const agreementsFinal = defineTemplate('agreements-final', agreementsFinalParams, (x) =>
  toProvider(x, {
    subject: `Afspraken ${title(x)} definitief`,
    blocks: [
      p(`De afspraken tussen ${x.providerName} en ons over ${x.careTypeName} voor ${periodPhrase(x)} zijn definitief.`),
      p('Wij danken u voor de prettige samenwerking.'),
    ],
  }),
);
