const t0 = performance.now();
const { startLocalRuntime } = await import('/work/main/functions/local/runtime.ts');
const { VirtualClock } = await import('/work/main/functions/commons/clock.ts');
console.log('imports', Math.round(performance.now() - t0));
const rt = await startLocalRuntime({ dataDir: '/tmp/st2', clock: new VirtualClock('2020-03-30T22:00:00Z'), mode: 'fast' });
console.log('started', Math.round(performance.now() - t0));
await rt.stop();
console.log('stopped', Math.round(performance.now() - t0));
