/**
 * The deployed stack as its readers know it: its name and its output keys.
 * infra/stack.ts declares the outputs under these keys; the CLI's `--aws` mode
 * finds the operator API through them (functions/cli/aws.ts). The operator
 * role policies' outputs are in functions/operators/routes.ts (ROLE_POLICY_OUTPUTS).
 */
export const STACK_NAME = 'Inkoopkalender';

export const STACK_OUTPUTS = {
  tableName: 'TableName',
  stateMachineArn: 'StateMachineArn',
  providerLinksUrl: 'ProviderLinksUrl',
  operatorApiUrl: 'OperatorApiUrl',
  documentsBucket: 'DocumentsBucket',
  linkSecretArn: 'LinkSecretArn',
  publicationsBucket: 'PublicationsBucket',
  configurationSetName: 'ConfigurationSetName',
} as const;

/** One output's value from a CloudFormation DescribeStacks answer. */
export function stackOutput(stack: { Outputs?: { OutputKey?: string; OutputValue?: string }[] } | undefined, key: string): string | undefined {
  return stack?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
}
