import { describeYear } from './year.ts';

// MSR 2021's year, with 15% of the known providers reachable at no address: the model of the year accounts for
// their bounced (or complained-about) first emails, the escalations, and their lapses. It is the one MSR 2021 year:
// its model has every email template, (step, template) pair, final state and lapse reason of the year without
// unreachable providers, and the diagnostics, ZVT and Wlz years keep that case (every delivery delivered). 80 providers
// with 15% unreachable take every rule of 200 with 10%, one of them complaining (130 with 10% were the fewest that did).
// The same year has SES refuse a fifth of all sends (throttling 429 or unavailable 503, half each): the sender backs
// off and retries, and the year's checks (the model's emails count for count, each one outbox message, none failed or
// left queued) hold with the refusals, and its retries are counted (#17: this was a year of its own, ses-faults.test.ts).
describeYear('msr-2021', { providers: 80, unreachableShare: 0.15, sesFaults: 0.2 });
