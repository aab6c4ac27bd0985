/**
 * The operator API in the CDK stack: every operator route is IAM-authorised,
 * routes to the OperatorApi function, which bundles this handler; there is no
 * unauthenticated way in.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_ROUTE_PATH } from '../../../infra/constructs/apis.ts';
import { ENTRY_METADATA_KEY, FUNCTIONS } from '../../../infra/functions.ts';
import { synthesizeStack, type CfnTemplate } from '../../../infra/synth.ts';

type Resource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, unknown> };
let resources: Record<string, Resource>;

beforeAll(() => {
  resources = (synthesizeStack({ bundling: false, validation: false }) as CfnTemplate & { Resources: Record<string, Resource> }).Resources;
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
