import { describeYear } from './year.ts';

// A tenth of the known providers can be reached at no address: the model of the year accounts for
// their bounced (or complained-about) first emails, the escalations, and their lapses.
describeYear('msr-2021', { unreachableShare: 0.1 });
