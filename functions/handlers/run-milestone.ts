/**
 * Lambda task "Run the milestone for the next page of applications": at most
 * PAGE_SIZE applications per call, an opaque cursor to continue from.
 * Thin: the work is in functions/milestones (plan/ per milestone kind).
 */
import type { z } from 'zod';
import type { DepsSource } from '../commons/deps.ts';
import { envSchema, envValue, readEnv } from '../commons/env.ts';
import { createRunMilestoneActivity } from '../milestones/activities.ts';
import { awsMilestoneDeps } from '../milestones/aws.ts';
import { milestoneConfigSchema, type MilestoneConfig } from '../milestones/config.ts';
import type { MilestoneDeps } from '../milestones/context.ts';

export const runMilestoneEnv = envSchema({
  TABLE_NAME: envValue.text,
  /** Base of the public registration form link; action links are issued by SendEmails at send time. */
  LINKS_BASE_URL: envValue.url,
  PAGE_SIZE: envValue.pageSize,
  PURCHASERS_EMAIL: envValue.email,
  CUSTOMER_COMMUNICATION_EMAIL: envValue.email,
  PUBLICATIONS_BUCKET: envValue.text,
  PUBLICATIONS_BASE_URL: envValue.url,
});
export type RunMilestoneEnv = z.infer<typeof runMilestoneEnv>;

/** The milestone work's settings from this function's environment (AWS and the local runtime alike). */
export const milestoneConfigOf = (env: RunMilestoneEnv): MilestoneConfig =>
  milestoneConfigSchema.parse({
    pageSize: env.PAGE_SIZE,
    linksBaseUrl: env.LINKS_BASE_URL,
    purchasersEmail: env.PURCHASERS_EMAIL,
    customerCommunicationEmail: env.CUSTOMER_COMMUNICATION_EMAIL,
  });

export const awsRunMilestoneDeps = (env: RunMilestoneEnv): MilestoneDeps =>
  awsMilestoneDeps({
    tableName: env.TABLE_NAME,
    config: milestoneConfigOf(env),
    publications: { bucket: env.PUBLICATIONS_BUCKET, baseUrl: env.PUBLICATIONS_BASE_URL },
  });

export function createRunMilestoneHandler(deps: DepsSource<MilestoneDeps> = () => awsRunMilestoneDeps(readEnv(runMilestoneEnv))) {
  return createRunMilestoneActivity(deps);
}

export const handler = createRunMilestoneHandler();
