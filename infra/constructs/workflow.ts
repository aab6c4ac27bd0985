/**
 * The cycle state machine: STANDARD, its definition the exact JSON of
 * `buildCycleDefinition()` (workflows/cycle.ts) with the `${…Function}`
 * placeholders filled by DefinitionSubstitutions. The local runtime reads the
 * same string back from the template (infra/synth.ts).
 *
 * Logging: level ALL (every state transition is visible to operators) with
 * execution data excluded, so no payload (cycle input, task results, error
 * causes) reaches the logs.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { CYCLE_SUBSTITUTIONS, buildCycleDefinition, type CycleFunctions } from '../../workflows/cycle.ts';
import { acknowledgeWildcardResource } from '../nag.ts';
import type { HouseFunction } from './house-function.ts';

/** `${NextMilestoneFunction}` → `NextMilestoneFunction`. */
export function substitutionKey(placeholder: string): string {
  const match = /^\$\{([A-Za-z0-9_]+)\}$/.exec(placeholder);
  if (!match) throw new Error(`not a definition substitution placeholder: ${placeholder}`);
  return match[1];
}

/** The definition string deployed as the state machine's DefinitionString. */
export function cycleDefinitionString(): string {
  return JSON.stringify(buildCycleDefinition());
}

export interface WorkflowProps {
  functions: Record<keyof CycleFunctions, HouseFunction>;
  logRetention: logs.RetentionDays;
}

export class Workflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const keys = Object.keys(CYCLE_SUBSTITUTIONS) as (keyof CycleFunctions)[];
    const definitionSubstitutions: Record<string, string> = {};
    for (const key of keys) {
      definitionSubstitutions[substitutionKey(CYCLE_SUBSTITUTIONS[key])] = props.functions[key].functionArn;
    }

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: 'Cycle state machine: invokes the four workflow functions, starts its own successor executions, writes its logs and traces.',
    });
    // Separate from the default policy (which holds the acknowledged log-delivery
    // and X-Ray wildcards): exactly the four functions, unqualified ARNs only,
    // as the definition invokes them.
    const invoke = new iam.Policy(this, 'InvokeWorkflowFunctions', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'InvokeWorkflowFunctions',
          actions: ['lambda:InvokeFunction'],
          resources: keys.map((key) => props.functions[key].functionArn),
        }),
      ],
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(cycleDefinitionString()),
      definitionSubstitutions,
      role,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    this.stateMachine.node.addDependency(invoke);

    // Each execution hands over to its successor (workflows/cycle.ts): StartExecution
    // on this state machine only. A policy of its own, created after the state machine
    // (the role is created before it: in its default policy the ARN would be a cycle).
    new iam.Policy(this, 'StartSuccessorExecutions', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'StartSuccessorExecutions',
          actions: ['states:StartExecution'],
          resources: [this.stateMachine.stateMachineArn],
        }),
      ],
    });

    acknowledgeWildcardResource(
      role.node.findChild('DefaultPolicy'),
      '*',
      'Step Functions log delivery (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ' +
        'ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and X-Ray ' +
        '(PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) support no resource-level ' +
        'permissions. Function invocation is a separate policy on the four function ARNs.',
    );
  }
}
