import { openStore } from '/work/main/functions/cli/context.ts';
import { readFileSync } from 'node:fs';
const dir = process.argv[2];
const { store, close } = await openStore({ data: dir });
const ids = new Set(readFileSync(`${dir}/mailbox.jsonl`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).messageId));
let cursor = null; let n = 0;
do { const p = await store.queryMessagesByStatus('sent', { cursor, limit: 500 }); for (const m of p.items) { n++; if (!ids.has(m.sesMessageId)) console.log('missing', m.key, m.sentAt, m.sesMessageId, m.createdAt); } cursor = p.cursor; } while (cursor);
console.log('sent', n);
await close();
