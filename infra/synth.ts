/**
 * In-process synthesis, for the local runtime and the tests.
 *
 * `synthesizeStack()` builds the same app as `cdk synth` (cdk.json's context,
 * the same stack) and returns the CloudFormation template as JSON.
 * `cycleWorkflowFromTemplate()` reads back what the local runtime needs to run
 * the cycle exactly as deployed: the state machine's definition and, for each
 * `${…}` substitution, the function's logical id and the handler module it
 * bundles (the `inkoop:entry` Metadata of the function resource).
 * It loads no build-only package (cdk-nag runs in infra/app.ts and the infra
 * tests), so the local runtime works after `npm ci --omit=dev`.
 */
import { App, type StackProps } from 'aws-cdk-lib';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.ts';
import { InkoopkalenderStack, STACK_NAME } from './stack.ts';
import type { CfnTemplate } from './template.ts';

// Reading a template back needs no CDK (./template.ts); here for the callers that synthesize too.
export type { CfnTemplate, CycleWorkflow, WorkflowFunctionRef } from './template.ts';
export { cycleWorkflowFromTemplate } from './template.ts';

export interface CreateAppOptions {
  /** Bundle the functions with esbuild (slow); off: assets are placeholders. Default true. */
  bundling?: boolean;
  /**
   * CDK's built-in CloudFormation template validation (schema and lint rules;
   * cdk.json makes its findings errors). Default true. About 4 s of a 5 s
   * synthesis: the local runtime may turn it off, the tests keep it on.
   */
  validation?: boolean;
  /** Context on top of cdk.json's (e.g. `{ senderAddress: '…' }`). */
  context?: Record<string, unknown>;
  /** Cloud assembly directory. Default: a fresh temporary directory. */
  outdir?: string;
  stackProps?: StackProps;
}

/** cdk.json's context (feature flags and settings), as the CDK CLI would pass it. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

export function createApp(options: CreateAppOptions = {}): { app: App; stack: InkoopkalenderStack } {
  const context: Record<string, unknown> = { ...cdkJsonContext(), ...options.context };
  if (options.bundling === false) context['aws:cdk:bundling-stacks'] = [];
  const app = new App({ context, outdir: options.outdir, builtinCloudFormationValidation: options.validation ?? true });
  const stack = new InkoopkalenderStack(app, STACK_NAME, options.stackProps);
  return { app, stack };
}

/** Synthesizes the stack in-process and returns its CloudFormation template. */
export function synthesizeStack(options: Omit<CreateAppOptions, 'outdir'> = {}): CfnTemplate {
  const outdir = mkdtempSync(join(tmpdir(), 'inkoop-cdk-'));
  try {
    const { app } = createApp({ ...options, outdir });
    return app.synth().getStackByName(STACK_NAME).template as CfnTemplate;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
