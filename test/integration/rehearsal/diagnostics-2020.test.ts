import { describeYear } from './year.ts';

describeYear('diagnostics-2020', { providers: 120 });
