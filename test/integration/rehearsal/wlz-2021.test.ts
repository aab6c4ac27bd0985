import { describeYear } from './year.ts';

describeYear('wlz-2021');
