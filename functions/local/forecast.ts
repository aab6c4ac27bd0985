/**
 * What a rehearsed cycle would do and cost in AWS, counted from what ran
 * locally: the executions of its chain with their history (./history.ts), the
 * Lambda invocations with their measured durations and the memory each function
 * is configured with (infra/functions.ts), the DynamoDB request units of the
 * items written and read (./runtime-metrics.ts), and the emails sent. Prices:
 * ./aws-prices.ts.
 */
import { AWS_PRICES, type AwsPrices } from './aws-prices.ts';
import { EXECUTION_BUDGET, limitsCrossed, type ExecutionHistory, type LimitCrossed } from './history.ts';

export interface AwsForecast {
  executions: ExecutionHistory[];
  /** Executions over the budget (at most 365 days, 20,000 history events): the rehearsal fails on any. */
  limitsCrossed: LimitCrossed[];
  budget: typeof EXECUTION_BUDGET;
  usage: {
    stateTransitions: number;
    lambdaRequests: number;
    lambdaGbSeconds: number;
    writeRequestUnits: number;
    readRequestUnits: number;
    emails: number;
  };
  costUsd: { stepFunctions: number; lambda: number; dynamodb: number; ses: number; total: number };
  prices: { lookedUp: string; region: string; source: string };
}

export interface ForecastInput {
  executions: ExecutionHistory[];
  /** Invocations and measured milliseconds by function, and each function's configured memory (MB). */
  lambda: { invocations: Record<string, number>; ms: Record<string, number>; memoryMb: Record<string, number> };
  dynamodb: { writeUnits: number; readUnits: number };
  emails: number;
}

const cents = (usd: number): number => Math.round(usd * 10_000) / 10_000;

export function forecastAws(input: ForecastInput, prices: AwsPrices = AWS_PRICES): AwsForecast {
  const stateTransitions = input.executions.reduce((n, e) => n + e.stateTransitions, 0);
  const lambdaRequests = Object.values(input.lambda.invocations).reduce((a, b) => a + b, 0);
  const lambdaGbSeconds = Object.entries(input.lambda.ms).reduce((n, [fn, ms]) => {
    const memoryMb = input.lambda.memoryMb[fn];
    if (memoryMb === undefined) throw new Error(`No configured memory for function ${fn}`);
    return n + (ms / 1000) * (memoryMb / 1024);
  }, 0);
  const stepFunctions = stateTransitions * prices.stepFunctions.perStateTransition;
  const lambda = lambdaRequests * prices.lambda.perRequest + lambdaGbSeconds * prices.lambda.perGbSecond;
  const dynamodb = input.dynamodb.writeUnits * prices.dynamodb.perWriteRequestUnit + input.dynamodb.readUnits * prices.dynamodb.perReadRequestUnit;
  const ses = input.emails * prices.ses.perEmail;
  return {
    executions: input.executions,
    limitsCrossed: limitsCrossed(input.executions),
    budget: EXECUTION_BUDGET,
    usage: {
      stateTransitions,
      lambdaRequests,
      lambdaGbSeconds: Math.round(lambdaGbSeconds * 100) / 100,
      writeRequestUnits: input.dynamodb.writeUnits,
      readRequestUnits: input.dynamodb.readUnits,
      emails: input.emails,
    },
    costUsd: {
      stepFunctions: cents(stepFunctions),
      lambda: cents(lambda),
      dynamodb: cents(dynamodb),
      ses: cents(ses),
      total: cents(stepFunctions + lambda + dynamodb + ses),
    },
    prices: { lookedUp: prices.lookedUp, region: prices.region, source: 'functions/local/aws-prices.ts' },
  };
}
