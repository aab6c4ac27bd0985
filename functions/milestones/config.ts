/**
 * What the milestone work needs besides the store and the clock. In AWS it
 * comes from the RunMilestone function's environment
 * (functions/handlers/run-milestone.ts, `milestoneConfigOf`); the local
 * runtime and the tests pass their own. The defaults serve those; the stack
 * sets every value (infra/config.ts).
 */
import { z } from 'zod';
import { emailAddress } from '../domain/model.ts';

export const DEFAULT_PAGE_SIZE = 100;
export const DEFAULT_PURCHASERS_EMAIL = 'inkoop@zorgverzekeraar.example';
export const DEFAULT_CUSTOMER_COMMUNICATION_EMAIL = 'klantcommunicatie@zorgverzekeraar.example';

export const milestoneConfigSchema = z.object({
  /** At most this many applications (or providers) per run-milestone invocation. */
  pageSize: z.number().int().min(1).max(1000).default(DEFAULT_PAGE_SIZE),
  /** Base of provider-facing URLs; the public registration form is `<linksBaseUrl>/aanmelden/<cycleId>`. */
  // Any http(s) host: `z.httpUrl` refuses the loopback address the local runtime serves on.
  linksBaseUrl: z.url({ protocol: /^https?$/ }),
  /** The purchasers' team address (escalations). */
  purchasersEmail: emailAddress.default(DEFAULT_PURCHASERS_EMAIL),
  /** The customer-communication team (the contracted-provider list). */
  customerCommunicationEmail: emailAddress.default(DEFAULT_CUSTOMER_COMMUNICATION_EMAIL),
});
export type MilestoneConfig = z.infer<typeof milestoneConfigSchema>;
export type MilestoneConfigInput = z.input<typeof milestoneConfigSchema>;

/** `<linksBaseUrl>/aanmelden/<cycleId>`: the public registration form of a cycle. */
export const registrationFormUrl = (config: Pick<MilestoneConfig, 'linksBaseUrl'>, cycleId: string): string =>
  `${config.linksBaseUrl.replace(/\/+$/, '')}/aanmelden/${encodeURIComponent(cycleId)}`;
