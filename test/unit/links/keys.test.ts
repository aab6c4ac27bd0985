import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LOCAL_KEY_FILE,
  LocalLinkKeyProvider,
  SecretsManagerLinkKeyProvider,
  clearLinkKeyCache,
} from '../../../functions/links/keys.ts';

describe('local link key', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'link-key-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a 32-byte key with mode 0600 once and keeps it', async () => {
    const dataDir = join(dir, 'data');
    const key = await new LocalLinkKeyProvider(dataDir).getKey();
    expect(key.length).toBe(32);
    const file = join(dataDir, LOCAL_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(Buffer.from(await readFile(file)).equals(Buffer.from(key))).toBe(true);
    // A second process (another provider) reads the same key.
    expect(Buffer.from(await new LocalLinkKeyProvider(dataDir).getKey()).equals(Buffer.from(key))).toBe(true);
  });

  it('agrees on one key when several start at once', async () => {
    const keys = await Promise.all([1, 2, 3, 4].map(() => new LocalLinkKeyProvider(dir).getKey()));
    for (const k of keys) expect(Buffer.from(k).equals(Buffer.from(keys[0]))).toBe(true);
  });

  it('refuses a key file of the wrong length', async () => {
    await writeFile(join(dir, LOCAL_KEY_FILE), 'short', { mode: 0o600 });
    await expect(new LocalLinkKeyProvider(dir).getKey()).rejects.toThrow(/32 bytes/);
  });
});

describe('Secrets Manager link key', () => {
  const sm = mockClient(SecretsManagerClient);
  beforeEach(() => {
    sm.reset();
    clearLinkKeyCache();
  });

  it('fetches once and caches in module scope', async () => {
    const secret = 'k'.repeat(64);
    sm.on(GetSecretValueCommand, { SecretId: 'link-key' }).resolves({ SecretString: secret });
    const a = await new SecretsManagerLinkKeyProvider('link-key', new SecretsManagerClient({})).getKey();
    const b = await new SecretsManagerLinkKeyProvider('link-key', new SecretsManagerClient({})).getKey();
    expect(Buffer.from(a).toString()).toBe(secret);
    expect(b).toBe(a);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('accepts a binary secret', async () => {
    const bytes = new Uint8Array(32).fill(7);
    sm.on(GetSecretValueCommand).resolves({ SecretBinary: bytes });
    const key = await new SecretsManagerLinkKeyProvider('bin', new SecretsManagerClient({})).getKey();
    expect(Buffer.from(key).equals(Buffer.from(bytes))).toBe(true);
  });

  it('refuses a short secret without naming its value, and retries after a failure', async () => {
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'tooshort' }).resolves({ SecretString: 'x'.repeat(40) });
    const provider = new SecretsManagerLinkKeyProvider('weak', new SecretsManagerClient({}));
    await expect(provider.getKey()).rejects.toThrow(/secret weak must hold a link key of at least 32 bytes/);
    await expect(provider.getKey()).resolves.toHaveLength(40);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });
});
