/**
 * CDK app entry (cdk.json: `npx tsx infra/app.ts`). Runs the cdk-nag
 * AwsSolutions pack as a synthesis validation: any unacknowledged finding
 * fails `cdk synth`. Acknowledgements are also written into the template's
 * Metadata (`cdk_nag.rules_to_suppress`) as an audit trail.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InkoopkalenderStack, STACK_NAME } from './stack.ts';

const app = new App();
new InkoopkalenderStack(app, STACK_NAME);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
