import { openStore } from '/work/main/functions/cli/context.ts';
const dir = process.argv[2];
const { store, close } = await openStore({ data: dir });
let cursor = null; const keys = [];
do { const p = await store.queryMessagesByStatus('sent', { cursor, limit: 500 }); for (const m of p.items) if (m.template === 'policy-published') keys.push(m.key + ' ' + m.createdAt); cursor = p.cursor; } while (cursor);
console.log(keys.sort().join('\n'));
const provs = await store.listProvidersOfCareType('msr', { limit: 100 });
console.log('msr providers', provs.items.length, provs.items.map(p => p.agb + ':' + p.createdAt).join(' '));
await close();
