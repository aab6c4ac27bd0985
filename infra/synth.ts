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
import { ENTRY_METADATA_KEY } from './functions.ts';
import { REPO_ROOT } from './paths.ts';
import { InkoopkalenderStack, STACK_NAME } from './stack.ts';

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

export type CfnTemplate = {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }>;
  Outputs?: Record<string, unknown>;
  [key: string]: unknown;
};

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

export interface WorkflowFunctionRef {
  /** Logical id of the AWS::Lambda::Function in the template. */
  logicalId: string;
  /** Handler module relative to the repository root. */
  entry: string;
  /** The module's export Lambda calls (`handler`). */
  exportName: string;
}

export interface CycleWorkflow {
  /** The parsed DefinitionString: ASL with `${…}` placeholders for the function ARNs. */
  definition: Record<string, unknown>;
  /** The DefinitionString exactly as deployed. */
  definitionString: string;
  /** Substitution key (e.g. `NextMilestoneFunction`, no `${}`) → the function it names. */
  substitutions: Record<string, WorkflowFunctionRef>;
}

/** The cycle state machine of a synthesized template, with its task functions resolved to handler modules. */
export function cycleWorkflowFromTemplate(template: CfnTemplate): CycleWorkflow {
  const machines = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`expected one state machine in the template, found ${machines.length}`);
  const [machineId, machine] = machines[0];
  const props = machine.Properties ?? {};
  const definitionString = props.DefinitionString;
  if (typeof definitionString !== 'string') {
    throw new Error(`${machineId}: DefinitionString is not a plain string`);
  }
  const substitutions: Record<string, WorkflowFunctionRef> = {};
  const raw = (props.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(raw)) {
    const getAtt = (value as { 'Fn::GetAtt'?: unknown })?.['Fn::GetAtt'];
    if (!Array.isArray(getAtt) || getAtt.length !== 2 || getAtt[1] !== 'Arn' || typeof getAtt[0] !== 'string') {
      throw new Error(`${machineId}: substitution ${key} is not a function ARN reference`);
    }
    const logicalId = getAtt[0];
    const resource = template.Resources[logicalId];
    const entry = resource?.Metadata?.[ENTRY_METADATA_KEY];
    if (resource?.Type !== 'AWS::Lambda::Function' || typeof entry !== 'string') {
      throw new Error(`${machineId}: substitution ${key} → ${logicalId} is not a function with ${ENTRY_METADATA_KEY}`);
    }
    const handler = resource.Properties?.Handler;
    const exportName = typeof handler === 'string' ? handler.slice(handler.lastIndexOf('.') + 1) : '';
    if (!exportName) throw new Error(`${logicalId}: no Handler property`);
    substitutions[key] = { logicalId, entry, exportName };
  }
  return { definition: JSON.parse(definitionString) as Record<string, unknown>, definitionString, substitutions };
}
