import { describeYear } from './year.ts';

describeYear('zvt-2021', { providers: 70 });
