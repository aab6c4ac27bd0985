/**
 * The environment variables the stack hands its functions: their names (the
 * one list; infra/functions.ts says which function gets which, infra/stack.ts
 * and the local runtime give the values) and how a handler reads them.
 *
 * Each handler declares one schema over these names (`envSchema`) and reads it
 * once, at cold start (`readEnv`): every variable in the schema is required; a
 * missing or blank one is a ConfigurationError naming it, never a default.
 * test/unit/handlers/environment.test.ts holds each schema to exactly the
 * variables infra/functions.ts gives that function.
 */
import { z } from 'zod';
import { ConfigurationError } from './errors.ts';

export const ENV_VARIABLES = {
  TABLE_NAME: 'Name of the one DynamoDB table.',
  OPERATOR_VIEWER_POLICY_ARN: 'ARN of the viewer role policy (the operator API reads which one its caller holds).',
  OPERATOR_PURCHASER_POLICY_ARN: 'ARN of the purchaser role policy.',
  OPERATOR_ADMINISTRATOR_POLICY_ARN: 'ARN of the administrator role policy.',
  LINK_SECRET_ARN: 'Secrets Manager ARN of the HMAC key that signs provider links.',
  LINKS_BASE_URL: 'Base URL of provider links (`https://…/`), the provider-links API unless a custom domain is configured.',
  DOCUMENTS_BUCKET: 'Bucket for provider document uploads (presigned POST).',
  DOCUMENTS_UPLOAD_PREFIX: 'Key prefix presigned uploads must use (`uploads/`); the IAM grant is limited to it.',
  SENDER: 'From address of every email.',
  CONFIGURATION_SET: 'SES configuration set every email must be sent with.',
  SES_RATE_PER_SECOND: 'Emails per second the sender allows itself.',
  STATE_MACHINE_ARN: 'ARN of the cycle state machine (the operator API starts and inspects executions).',
  PUBLICATIONS_BUCKET: 'Bucket of public documents (contracted-provider lists, Q&A memo), keys `<cycleId>/<file>`.',
  PUBLICATIONS_BASE_URL: 'Public URL the insurer\'s website serves the publications bucket under (links in emails).',
  PAGE_SIZE: 'Applications (or providers) per run-milestone call.',
  PURCHASERS_EMAIL: "The purchasers' team address (escalations).",
  CUSTOMER_COMMUNICATION_EMAIL: 'The customer-communication team address (the contracted-provider list).',
} as const;

/** A variable the stack can hand to a function. */
export type EnvName = keyof typeof ENV_VARIABLES;

/** Value types of environment variables (each arrives as a string). */
export const envValue = {
  text: z.string().min(1),
  url: z.url({ protocol: /^https?$/ }),
  email: z.email(),
  positiveNumber: z.coerce.number().positive(),
  pageSize: z.coerce.number().int().min(1).max(1000),
};

type EnvShape = { [K in EnvName]?: z.ZodType };

/** One function's environment: only known variable names, each required. */
export const envSchema = <S extends EnvShape>(shape: S) => z.object(shape);

/**
 * Reads a function's environment: every variable of the schema must be set and
 * non-blank (trimmed), then valid; otherwise a ConfigurationError that names
 * each variable at fault.
 */
export function readEnv<S extends z.ZodObject>(schema: S, env: Record<string, string | undefined> = process.env): z.infer<S> {
  const names = Object.keys(schema.shape);
  const missing = names.filter((name) => !env[name]?.trim());
  if (missing.length > 0) {
    throw new ConfigurationError(`Environment variable${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not set`, missing);
  }
  const parsed = schema.safeParse(Object.fromEntries(names.map((name) => [name, env[name]?.trim()])));
  if (!parsed.success) {
    const wrong = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))];
    const detail = parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`).join('; ');
    throw new ConfigurationError(`Environment variable${wrong.length > 1 ? 's' : ''} ${wrong.join(', ')} invalid (${detail})`, wrong);
  }
  return parsed.data;
}
