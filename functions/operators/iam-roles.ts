/**
 * Which operator role an IAM caller holds, in AWS: the role managed policies
 * (infra/constructs/apis.ts) attached to the caller's IAM role, or to the IAM
 * user or one of its groups. API Gateway has already let the request through
 * IAM (the policies allow exactly their routes); the handler checks again on
 * its own so that a route can never be served to a caller outside its role,
 * whatever else grants `execute-api:Invoke`, and so that the refusal can name
 * the role needed.
 *
 * Answers are cached per principal for a minute: IAM's read APIs are
 * throttled per account, and attaching a policy takes effect within that.
 */
import { ListAttachedGroupPoliciesCommand, ListAttachedRolePoliciesCommand, ListAttachedUserPoliciesCommand, ListGroupsForUserCommand, type IAMClient } from '@aws-sdk/client-iam';
import { OPERATOR_ROLES, type OperatorRole } from './routes.ts';

export type RoleOf = (principalArn: string) => Promise<OperatorRole | undefined>;

/** `arn:aws:sts::<account>:assumed-role/<role>/<session>` or `arn:aws:iam::<account>:user/<path/><name>`. */
export function principalOf(arn: string): { kind: 'role'; name: string; session: string } | { kind: 'user'; name: string } | undefined {
  const assumed = /^arn:[a-z-]+:sts::\d{12}:assumed-role\/([^/]+)\/(.+)$/.exec(arn);
  if (assumed) return { kind: 'role', name: assumed[1], session: assumed[2] };
  const user = /^arn:[a-z-]+:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (user) return { kind: 'user', name: user[1] };
  return undefined;
}

async function pages<T>(fetch: (marker?: string) => Promise<{ items: T[]; marker?: string }>): Promise<T[]> {
  const all: T[] = [];
  let marker: string | undefined;
  do {
    const page = await fetch(marker);
    all.push(...page.items);
    marker = page.marker;
  } while (marker);
  return all;
}

export function iamRoleOf(options: { client: Pick<IAMClient, 'send'>; policyArns: Record<OperatorRole, string>; ttlMs?: number; now?: () => number }): RoleOf {
  const { client, policyArns } = options;
  const ttl = options.ttlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { role: OperatorRole | undefined; until: number }>();

  async function attached(principal: NonNullable<ReturnType<typeof principalOf>>): Promise<string[]> {
    if (principal.kind === 'role') {
      return pages(async (Marker) => {
        const out = await client.send(new ListAttachedRolePoliciesCommand({ RoleName: principal.name, Marker }));
        return { items: (out.AttachedPolicies ?? []).map((p) => p.PolicyArn ?? ''), marker: out.IsTruncated ? out.Marker : undefined };
      });
    }
    const own = await pages(async (Marker) => {
      const out = await client.send(new ListAttachedUserPoliciesCommand({ UserName: principal.name, Marker }));
      return { items: (out.AttachedPolicies ?? []).map((p) => p.PolicyArn ?? ''), marker: out.IsTruncated ? out.Marker : undefined };
    });
    const groups = await pages(async (Marker) => {
      const out = await client.send(new ListGroupsForUserCommand({ UserName: principal.name, Marker }));
      return { items: (out.Groups ?? []).map((g) => g.GroupName ?? ''), marker: out.IsTruncated ? out.Marker : undefined };
    });
    const viaGroups = await Promise.all(
      groups.map((GroupName) =>
        pages(async (Marker) => {
          const out = await client.send(new ListAttachedGroupPoliciesCommand({ GroupName, Marker }));
          return { items: (out.AttachedPolicies ?? []).map((p) => p.PolicyArn ?? ''), marker: out.IsTruncated ? out.Marker : undefined };
        }),
      ),
    );
    return [...own, ...viaGroups.flat()];
  }

  return async (arn) => {
    const hit = cache.get(arn);
    if (hit && hit.until > now()) return hit.role;
    const principal = principalOf(arn);
    const arns = new Set(principal ? await attached(principal) : []);
    // The highest role attached wins: the policies are cumulative.
    const role = [...OPERATOR_ROLES].reverse().find((r) => arns.has(policyArns[r]));
    cache.set(arn, { role, until: now() + ttl });
    return role;
  };
}
