/**
 * The AWS prices the rehearsal's forecast uses (./forecast.ts): the only place
 * they are written down. Region: Europe (Ireland), eu-west-1, where the stack is
 * meant to run; on-demand list prices in USD, without free tiers.
 *
 * Looked up 2026-12-04:
 * - Step Functions, standard workflows: $0.025 per 1,000 state transitions in
 *   Europe (Ireland) — https://aws.amazon.com/step-functions/pricing/ (the
 *   state-transitions pricing table; retries are transitions too).
 * - Lambda, x86: $0.20 per 1M requests and $0.0000166667 per GB-second —
 *   https://aws.amazon.com/lambda/pricing/ (the same in eu-west-1 as in us-east-1).
 * - DynamoDB on-demand, since the 50% reduction of 1 November 2024: US East
 *   $0.625 per million write request units and $0.125 per million read request
 *   units (https://aws.amazon.com/dynamodb/pricing/on-demand/, as quoted by
 *   https://airbyte.com/data-engineering-resources/dynamodb-pricing); Europe
 *   (Ireland) was $1.4135 and $0.283 before it, so half of those is used here.
 * - SES: $0.10 per 1,000 outbound emails — https://aws.amazon.com/ses/pricing/
 *   (attachments' data and dedicated IPs not counted).
 */
export const AWS_PRICES = {
  lookedUp: '2026-12-04',
  region: 'eu-west-1',
  currency: 'USD',
  stepFunctions: { perStateTransition: 0.025 / 1000 },
  lambda: { perRequest: 0.2 / 1_000_000, perGbSecond: 0.0000166667 },
  dynamodb: { perWriteRequestUnit: 1.4135 / 2 / 1_000_000, perReadRequestUnit: 0.283 / 2 / 1_000_000 },
  ses: { perEmail: 0.1 / 1000 },
} as const;

export type AwsPrices = typeof AWS_PRICES;
