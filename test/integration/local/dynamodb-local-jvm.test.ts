import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { spawnDynamoDbLocal } from '../../../functions/local/dynamodb-local-jvm.ts';
import { ensureTable, startDynamoDbLocal } from '../../../functions/local/dynamodb-local.ts';
import { freePort } from '../../../functions/local/ports.ts';

const cacheDir = mkdtempSync(join(tmpdir(), 'dynamodb-local-jvm-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const commandLine = (pid: number | undefined): string[] => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

/** Starts DynamoDB Local with this test's cache, puts and reads an item (what the jar copy must still do), and stops it. */
async function roundTrip(): Promise<{ archiving: boolean; args: string[] }> {
  const jvm = spawnDynamoDbLocal({ port: await freePort(), path: null, cacheDir });
  const db = await startDynamoDbLocal({ jvm });
  try {
    const args = commandLine(db.pid);
    await ensureTable(db.client, 'jvm-test');
    await db.client.send(new PutItemCommand({ TableName: 'jvm-test', Item: { pk: { S: 'a' }, sk: { S: 'b' } }, ConditionExpression: 'attribute_not_exists(pk)' }));
    const { Item } = await db.client.send(new GetItemCommand({ TableName: 'jvm-test', Key: { pk: { S: 'a' }, sk: { S: 'b' } }, ConsistentRead: true }));
    expect(Item?.pk?.S).toBe('a');
    return { archiving: jvm.archiving, args };
  } finally {
    await db.stop();
  }
}

describe("DynamoDB Local's JVM with class-data sharing", () => {
  it('keeps no archive from a JVM killed while it ran, nor its temporary file', async () => {
    const jvm = spawnDynamoDbLocal({ port: await freePort(), path: null, cacheDir });
    expect(jvm.archiving).toBe(true);
    const db = await startDynamoDbLocal({ jvm });
    const exited = new Promise((resolve) => jvm.child.once('exit', resolve));
    jvm.child.kill('SIGKILL');
    await exited;
    await db.stop();
    expect(readdirSync(cacheDir).filter((f) => f.includes('.jsa'))).toEqual([]);
  });

  it('runs a copy of the jar without the Class-Path CDS refuses, makes the archive as it stops, and the next JVM maps it', async () => {
    const first = await roundTrip();
    expect(first.archiving).toBe(true);
    expect(first.args).toContain('-cp');
    expect(first.args).not.toContain('-jar');
    expect(first.args.some((a) => a.startsWith('-XX:ArchiveClassesAtExit='))).toBe(true);
    const archives = readdirSync(cacheDir).filter((f) => f.includes('.jsa'));
    expect(archives).toHaveLength(1);
    expect(archives[0]).toMatch(/^dynamodb-local-[0-9a-f]+\.jsa$/);

    const second = await roundTrip();
    expect(second.archiving).toBe(false);
    expect(second.args).toContain(`-XX:SharedArchiveFile=${join(cacheDir, archives[0])}`);
    expect(readdirSync(cacheDir).filter((f) => f.includes('.jsa'))).toEqual(archives);
    // Two JVM starts and an archive of some 35 MB written: minutes on a loaded machine.
  }, 300_000);
});
