/**
 * cdk-nag 3 helpers. Suppressions are CDK acknowledgements
 * (`Validations.of(construct).acknowledge`), each with a specific reason; a
 * wildcard finding is acknowledged per resource (`AwsSolutions-IAM5[Resource::…]`),
 * never for a whole rule.
 */
import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** A resource attribute as cdk-nag renders it in finding ids: `<LogicalId.Attr>`. */
export function nagAttr(construct: IConstruct, attribute: string): string {
  const cfn = (construct.node.defaultChild ?? construct) as CfnElement;
  return `<${Stack.of(construct).getLogicalId(cfn)}.${attribute}>`;
}

/** A `Ref` to a resource as cdk-nag renders it in finding ids: `<LogicalId>`. */
export function nagRef(construct: IConstruct): string {
  const cfn = (construct.node.defaultChild ?? construct) as CfnElement;
  return `<${Stack.of(construct).getLogicalId(cfn)}>`;
}

export function acknowledge(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}

export function acknowledgeWildcardResource(construct: IConstruct, resource: string, reason: string): void {
  acknowledge(construct, `AwsSolutions-IAM5[Resource::${resource}]`, reason);
}
