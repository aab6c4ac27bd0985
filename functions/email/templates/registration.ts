/** New providers: registration window, registration, eligibility, feedback (Wlz), withdrawal. */
import { z } from 'zod';
import { action, p, paragraphs, strong, type Block } from '../layout.ts';
import { deadlinePhrase, formatDutchDate, formatDutchWindow, periodLabel, periodPhrase } from '../format.ts';
import { actionUrl, defineTemplate, localDate, providerParams, toProvider, when } from '../params.ts';

const title = (p: { careTypeName: string; contractYear: number; contractTermYears: 1 | 2 | 3 }) =>
  `${p.careTypeName} ${periodLabel(p)}`;

const PERSONAL_LINK = p('Deze link is persoonlijk. Stuur deze e-mail daarom niet door.');

export const registrationInvitationParams = providerParams
  .extend({ opens: localDate, closes: localDate, actionUrl })
  .refine((x) => x.closes >= x.opens, { message: 'closes must not be before opens', path: ['closes'] });
export type RegistrationInvitationParams = z.input<typeof registrationInvitationParams>;

export const registrationInvitation = defineTemplate('registration-invitation', registrationInvitationParams, (x) =>
  toProvider(x, {
    subject: `Aanmelden als nieuwe zorgaanbieder ${title(x)}`,
    blocks: [
      p(
        `Wilt u voor ${periodPhrase(x)} een overeenkomst ${x.careTypeName} en heeft ${x.providerName} nog geen overeenkomst met ons? `,
        `Dan kunt u zich van ${formatDutchWindow(x.opens, x.closes)} aanmelden via het aanmeldformulier.`,
      ),
      p('Meld u ', strong(deadlinePhrase(x.closes)), ' aan.'),
      action('Naar het aanmeldformulier', x.actionUrl),
      p('Na uw aanmelding ontvangt u per e-mail een persoonlijke link. Daarmee rondt u de aanmelding af en levert u de gevraagde documenten aan.'),
    ],
  }),
);

export const registrationLinkParams = providerParams.extend({ deadline: localDate, actionUrl });
export type RegistrationLinkParams = z.input<typeof registrationLinkParams>;

export const registrationLink = defineTemplate('registration-link', registrationLinkParams, (x) =>
  toProvider(x, {
    subject: `Rond uw aanmelding af – ${title(x)}`,
    blocks: [
      p(
        `U heeft ${x.providerName} aangemeld voor ${x.careTypeName} (${periodPhrase(x)}). `,
        'Via de link hieronder rondt u de aanmelding af en levert u de gevraagde documenten aan.',
      ),
      p('Rond uw aanmelding ', strong(deadlinePhrase(x.deadline)), ' af.'),
      action('Aanmelding afronden', x.actionUrl),
      PERSONAL_LINK,
    ],
  }),
);

export const registrationReceivedParams = providerParams.extend({
  /** The close of the registration window: until then the registration can be amended. */
  deadline: localDate,
  actionUrl,
  /** When the eligibility decision is due, if known. */
  decisionBy: localDate.optional(),
});
export type RegistrationReceivedParams = z.input<typeof registrationReceivedParams>;

export const registrationReceived = defineTemplate('registration-received', registrationReceivedParams, (x) =>
  toProvider(x, {
    subject: `Bevestiging: aanmelding ontvangen – ${title(x)}`,
    blocks: [
      p(`Wij hebben de aanmelding van ${x.providerName} voor ${x.careTypeName} (${periodPhrase(x)}) ontvangen. Dank u wel.`),
      p('Tot de aanmeldperiode sluit, kunt u uw aanmelding nog aanvullen of wijzigen: ', strong(deadlinePhrase(x.deadline)), '.'),
      action('Aanmelding bekijken of wijzigen', x.actionUrl),
      p(
        'Na de aanmeldperiode beoordelen wij uw aanmelding.',
        x.decisionBy ? ` U hoort uiterlijk ${formatDutchDate(x.decisionBy)} of u in aanmerking komt voor een overeenkomst.` : '',
      ),
      PERSONAL_LINK,
    ],
  }),
);

export const registrationLapsedParams = providerParams.extend({ deadline: localDate });
export type RegistrationLapsedParams = z.input<typeof registrationLapsedParams>;

export const registrationLapsed = defineTemplate('registration-lapsed', registrationLapsedParams, (x) =>
  toProvider(x, {
    subject: `Aanmelding niet afgerond – ${title(x)}`,
    blocks: [
      p(
        `De aanmeldperiode voor ${x.careTypeName} (${periodPhrase(x)}) is gesloten. `,
        `De aanmelding van ${x.providerName} moest `,
        strong(deadlinePhrase(x.deadline)),
        ' zijn afgerond. Wij hebben de aanmelding niet op tijd compleet ontvangen.',
      ),
      p(`Daarom kunnen wij de aanmelding voor ${periodPhrase(x)} helaas niet in behandeling nemen.`),
    ],
  }),
);

const eligibilityBase = providerParams.extend({});
export const eligibilityDecisionParams = z.discriminatedUnion('decision', [
  eligibilityBase.extend({ decision: z.literal('eligible') }),
  eligibilityBase.extend({
    decision: z.literal('not-eligible'),
    reason: z.string().trim().min(1, 'the reason why the provider is not eligible'),
  }),
]);
export type EligibilityDecisionParams = z.input<typeof eligibilityDecisionParams>;

export const eligibilityDecision = defineTemplate('eligibility-decision', eligibilityDecisionParams, (x) => {
  const intro = `Wij hebben de aanmelding van ${x.providerName} voor ${x.careTypeName} (${periodPhrase(x)}) beoordeeld.`;
  const blocks: Block[] =
    x.decision === 'eligible'
      ? [
          p(intro, ' ', strong(`${x.providerName} komt in aanmerking voor een overeenkomst.`)),
          p('U ontvangt binnenkort bericht over de volgende stap.'),
        ]
      : [
          p(intro, ' ', strong(`Helaas komt ${x.providerName} niet in aanmerking voor een overeenkomst.`)),
          p(`De reden: ${x.reason}`),
          p('Wilt u dit besluit toegelicht krijgen? Neem dan contact op met uw zorginkoper.'),
        ];
  return toProvider(x, { subject: `Uitslag van uw aanmelding – ${title(x)}`, blocks });
});

export const feedbackParams = providerParams.extend({
  /** `first`: feedback on the assessment (Wlz step 6); `final`: definitive feedback (step 9). */
  stage: z.enum(['first', 'final']),
  /** The feedback itself; blank lines separate paragraphs. */
  summary: z.string().trim().min(1, 'the feedback text'),
  /** Until when the provider can respond or ask for a talk with the purchaser, if applicable. */
  deadline: localDate.optional(),
  actionUrl: actionUrl.optional(),
});
export type FeedbackParams = z.input<typeof feedbackParams>;

export const feedback = defineTemplate('feedback', feedbackParams, (x) =>
  toProvider(x, {
    subject:
      x.stage === 'first'
        ? `Terugkoppeling op uw inschrijving – ${title(x)}`
        : `Definitieve terugkoppeling op uw inschrijving – ${title(x)}`,
    blocks: [
      p(
        x.stage === 'first'
          ? `Wij hebben de inschrijving van ${x.providerName} voor ${x.careTypeName} (${periodPhrase(x)}) beoordeeld. Hieronder leest u onze terugkoppeling.`
          : `Hieronder leest u de definitieve terugkoppeling op de inschrijving van ${x.providerName} voor ${x.careTypeName} (${periodPhrase(x)}).`,
      ),
      ...paragraphs(x.summary),
      ...when(
        x.actionUrl,
        () =>
          p(
            'Wilt u de terugkoppeling met uw zorginkoper bespreken? Vraag dan ',
            ...(x.deadline ? [strong(deadlinePhrase(x.deadline)), ' '] : []),
            'een gesprek aan.',
          ),
        (url) => action('Gesprek aanvragen', url),
      ),
    ],
  }),
);

export const withdrawalConfirmedParams = providerParams.extend({});
export type WithdrawalConfirmedParams = z.input<typeof withdrawalConfirmedParams>;

export const withdrawalConfirmed = defineTemplate('withdrawal-confirmed', withdrawalConfirmedParams, (x) =>
  toProvider(x, {
    subject: `Bevestiging: aanmelding ingetrokken – ${title(x)}`,
    blocks: [
      p(
        `Wij bevestigen dat ${x.providerName} zich heeft teruggetrokken uit de zorginkoop ${x.careTypeName} voor ${periodPhrase(x)}. `,
        'Wij nemen de aanmelding niet verder in behandeling.',
      ),
      p('Heeft u zich per vergissing teruggetrokken? Neem dan zo snel mogelijk contact op met uw zorginkoper.'),
    ],
  }),
);
