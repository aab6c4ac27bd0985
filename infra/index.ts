/** Public surface of the CDK app for the local runtime, the CLI and tests. */
export { STACK_NAME, STACK_OUTPUTS, InkoopkalenderStack } from './stack.ts';
export {
  synthesizeStack,
  createApp,
  cycleWorkflowFromTemplate,
  type CycleWorkflow,
  type WorkflowFunctionRef,
  type CfnTemplate,
} from './synth.ts';
export { FUNCTIONS, ENTRY_METADATA_KEY, type FunctionKey } from './functions.ts';
export { FUNCTION_GRANTS, DOCUMENTS_UPLOAD_PREFIX } from './permissions.ts';
export { METRIC, METRICS_NAMESPACE } from '../functions/commons/metric-names.ts';
