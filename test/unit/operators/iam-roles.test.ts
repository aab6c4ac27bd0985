/** The caller's operator role from the IAM policies attached to it (aws-sdk-client-mock). */
import { IAMClient, ListAttachedGroupPoliciesCommand, ListAttachedRolePoliciesCommand, ListAttachedUserPoliciesCommand, ListGroupsForUserCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { iamRoleOf, principalOf } from '../../../functions/operators/iam-roles.ts';

const iam = mockClient(IAMClient);
const POLICIES = {
  viewer: 'arn:aws:iam::123456789012:policy/Inkoop-Viewer',
  purchaser: 'arn:aws:iam::123456789012:policy/Inkoop-Purchaser',
  administrator: 'arn:aws:iam::123456789012:policy/Inkoop-Administrator',
};
const attached = (...arns: string[]) => ({ AttachedPolicies: arns.map((PolicyArn) => ({ PolicyArn })) });

beforeEach(() => iam.reset());

describe('principalOf', () => {
  it('an assumed role (name and session) or an IAM user (name, without its path); nothing else', () => {
    expect(principalOf('arn:aws:sts::123456789012:assumed-role/InkoopPurchaser/anna@zorgverzekeraar.nl')).toEqual({
      kind: 'role',
      name: 'InkoopPurchaser',
      session: 'anna@zorgverzekeraar.nl',
    });
    expect(principalOf('arn:aws:iam::123456789012:user/ops/piet')).toEqual({ kind: 'user', name: 'piet' });
    expect(principalOf('arn:aws:iam::123456789012:root')).toBeUndefined();
  });
});

describe('iamRoleOf', () => {
  it("an assumed role: the highest role policy attached to the role (paged), cached for a minute", async () => {
    iam
      .on(ListAttachedRolePoliciesCommand, { RoleName: 'InkoopPurchaser', Marker: undefined })
      .resolves({ ...attached('arn:aws:iam::aws:policy/ReadOnlyAccess', POLICIES.viewer), IsTruncated: true, Marker: 'm1' })
      .on(ListAttachedRolePoliciesCommand, { RoleName: 'InkoopPurchaser', Marker: 'm1' })
      .resolves(attached(POLICIES.purchaser));
    let now = 0;
    const roleOf = iamRoleOf({ client: new IAMClient({ region: 'eu-west-1' }), policyArns: POLICIES, now: () => now });
    const arn = 'arn:aws:sts::123456789012:assumed-role/InkoopPurchaser/anna';
    expect(await roleOf(arn)).toBe('purchaser');
    expect(await roleOf(arn)).toBe('purchaser');
    expect(iam.commandCalls(ListAttachedRolePoliciesCommand)).toHaveLength(2);
    now = 61_000;
    await roleOf(arn);
    expect(iam.commandCalls(ListAttachedRolePoliciesCommand)).toHaveLength(4);
  });

  it("an IAM user: its own policies and its groups'", async () => {
    iam.on(ListAttachedUserPoliciesCommand).resolves(attached())
      .on(ListGroupsForUserCommand).resolves({ Groups: [{ GroupName: 'inkoop-admins', GroupId: 'g', Arn: 'a', Path: '/', CreateDate: new Date(0) }] })
      .on(ListAttachedGroupPoliciesCommand, { GroupName: 'inkoop-admins' }).resolves(attached(POLICIES.administrator));
    const roleOf = iamRoleOf({ client: new IAMClient({ region: 'eu-west-1' }), policyArns: POLICIES });
    expect(await roleOf('arn:aws:iam::123456789012:user/piet')).toBe('administrator');
  });

  it('no role policy attached, or a principal that is neither a role nor a user: no role', async () => {
    iam.on(ListAttachedRolePoliciesCommand).resolves(attached('arn:aws:iam::aws:policy/AdministratorAccess'));
    const roleOf = iamRoleOf({ client: new IAMClient({ region: 'eu-west-1' }), policyArns: POLICIES });
    expect(await roleOf('arn:aws:sts::123456789012:assumed-role/Admin/x')).toBeUndefined();
    expect(await roleOf('arn:aws:iam::123456789012:root')).toBeUndefined();
  });
});
