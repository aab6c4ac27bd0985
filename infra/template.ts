/**
 * Reading a synthesized template back, without the CDK: what the local runtime
 * needs to run the cycle exactly as deployed (the state machine's definition
 * and, for each `${…}` substitution, the function's logical id and the handler
 * module it bundles, from the `inkoop:entry` Metadata of the function
 * resource). Kept apart from ./synth.ts so a runtime that has the template
 * already (functions/local/startup-cache.ts) does not load aws-cdk-lib.
 */
import { ENTRY_METADATA_KEY } from './functions.ts';

export type CfnTemplate = {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }>;
  Outputs?: Record<string, unknown>;
  [key: string]: unknown;
};

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
