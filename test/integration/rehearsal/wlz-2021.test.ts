import { describeYear } from './year.ts';

describeYear('wlz-2021', { providers: 50 });
