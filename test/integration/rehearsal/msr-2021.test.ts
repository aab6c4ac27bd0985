import { describeYear } from './year.ts';

describeYear('msr-2021');
