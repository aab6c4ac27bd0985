/**
 * The operator API in the CDK stack: every operator route is IAM-authorised,
 * routes to the OperatorApi function, which bundles this handler; there is no
 * unauthenticated way in. Three managed policies, one per role, each allow
 * exactly the routes of functions/operators/routes.ts that role may call.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_ROUTE_PATH } from '../../../infra/constructs/apis.ts';
import { ENTRY_METADATA_KEY, FUNCTIONS } from '../../../infra/functions.ts';
import { synthesizeStack, type CfnTemplate } from '../../../infra/synth.ts';
import { OPERATOR_ROLES, OPERATOR_ROUTES, ROLE_POLICY_OUTPUTS, iamResourcePath, pathOf, type OperatorRole } from '../../../functions/operators/routes.ts';

type Resource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, unknown> };
let resources: Record<string, Resource>;
let synthesized: CfnTemplate;

beforeAll(() => {
  synthesized = synthesizeStack({ bundling: false, validation: false });
  resources = (synthesized as CfnTemplate & { Resources: Record<string, Resource> }).Resources;
}, 120_000);

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const ref = (value: any): string | undefined => value?.Ref ?? value?.['Fn::GetAtt']?.[0];

describe('operator API in the stack', () => {
  it("the operator routes' AuthorizationType is AWS_IAM, and they are the API's only routes", () => {
    const [apiId] = ofType('AWS::ApiGatewayV2::Api').find(([, r]) => /^Operator API/.test(r.Properties.Description))!;
    const routes = ofType('AWS::ApiGatewayV2::Route').filter(([, r]) => ref(r.Properties.ApiId) === apiId);
    expect(routes.map(([, r]) => r.Properties.RouteKey)).toEqual([`ANY ${OPERATOR_ROUTE_PATH}`]);
    for (const [, route] of routes) expect(route.Properties.AuthorizationType).toBe('AWS_IAM');
  });

  it('the route integrates the OperatorApi function, which bundles functions/handlers/operator-api.ts', () => {
    const [apiId] = ofType('AWS::ApiGatewayV2::Api').find(([, r]) => /^Operator API/.test(r.Properties.Description))!;
    const [, route] = ofType('AWS::ApiGatewayV2::Route').find(([, r]) => ref(r.Properties.ApiId) === apiId)!;
    const integrationId = JSON.stringify(route.Properties.Target).match(/"Ref":"([^"]+)"/)?.[1];
    const integration = resources[integrationId!];
    expect(integration.Type).toBe('AWS::ApiGatewayV2::Integration');
    const fn = ref(integration.Properties.IntegrationUri);
    expect(resources[fn!].Metadata?.[ENTRY_METADATA_KEY]).toBe(FUNCTIONS.operatorApi.entry);
    expect(FUNCTIONS.operatorApi.entry).toBe('functions/handlers/operator-api.ts');
  });
});

// ---------------------------------------------------------------- the three role policies

/** A resource as a string: `{ "Ref": "X" }` → `<X>`, Fn::Join flattened. */
const render = (value: any): string =>
  typeof value === 'string' ? value : value?.Ref ? `<${value.Ref}>` : value?.['Fn::Join'] ? value['Fn::Join'][1].map(render).join(value['Fn::Join'][0]) : JSON.stringify(value);

/** IAM's ARN matching: `*` is any run of characters (slashes included), `?` one. */
const iamMatches = (pattern: string, arn: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(arn);

describe('operator role policies', () => {
  const apiId = () => ofType('AWS::ApiGatewayV2::Api').find(([, r]) => /^Operator API/.test(r.Properties.Description))![0];
  const arnPrefix = () => `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId()}>/$default/`;
  const policyOf = (role: OperatorRole) => {
    const outputs = (synthesized as any).Outputs as Record<string, { Value: any }>;
    const id = ref(outputs[ROLE_POLICY_OUTPUTS[role]].Value)!;
    expect(resources[id].Type).toBe('AWS::IAM::ManagedPolicy');
    return resources[id].Properties;
  };
  const invokeResources = (role: OperatorRole): string[] => {
    const statements = policyOf(role).PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[];
    const invoke = statements.filter((s) => [s.Action].flat().includes('execute-api:Invoke'));
    return invoke.flatMap((s) => [s.Resource].flat().map(render));
  };

  it.each(OPERATOR_ROLES)('the %s policy allows exactly its routes and those of the roles below it, nothing else', (role) => {
    const expected = Object.values(OPERATOR_ROUTES)
      .filter((r) => OPERATOR_ROLES.indexOf(r.role) <= OPERATOR_ROLES.indexOf(role))
      .map((r) => `${arnPrefix()}${iamResourcePath(r)}`);
    expect(invokeResources(role).sort()).toEqual(expected.sort());
    // Besides the routes, only reading this stack's outputs (where the CLI finds the API).
    const other = (policyOf(role).PolicyDocument.Statement as { Action: string | string[] }[]).filter((s) => ![s.Action].flat().includes('execute-api:Invoke'));
    expect(other.map((s) => s.Action)).toEqual(['cloudformation:DescribeStacks']);
  });

  it('as IAM matches ARNs, every route is allowed to exactly the roles that include it (no pattern reaches a route above its role)', () => {
    for (const route of Object.values(OPERATOR_ROUTES)) {
      const arn = `${arnPrefix()}${route.method}${pathOf(route, { cycleId: 'msr-2021', agb: '12345678', questionId: 'q-1', milestoneId: 'registration' })}`;
      const allowedTo = OPERATOR_ROLES.filter((role) => invokeResources(role).some((pattern) => iamMatches(pattern, arn)));
      expect(allowedTo, `${route.method} ${route.path}`).toEqual(OPERATOR_ROLES.filter((role) => OPERATOR_ROLES.indexOf(role) >= OPERATOR_ROLES.indexOf(route.role)));
    }
  });

  it('the old all-routes policy is gone, and the operator API function knows the three policies', () => {
    expect((synthesized as any).Outputs.OperatorPolicyArn).toBeUndefined();
    const [, fn] = ofType('AWS::Lambda::Function').find(([, r]) => r.Metadata?.[ENTRY_METADATA_KEY] === FUNCTIONS.operatorApi.entry)!;
    const variables = fn.Properties.Environment.Variables;
    for (const role of OPERATOR_ROLES) {
      expect(ref(variables[`OPERATOR_${role.toUpperCase()}_POLICY_ARN`])).toBe(ref((synthesized as any).Outputs[ROLE_POLICY_OUTPUTS[role]].Value));
    }
  });
});
