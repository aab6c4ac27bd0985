import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { getSecretsClient } from '../commons/clients.ts';
import type { LinkKey } from './token.ts';

/** Where the HMAC key for provider links comes from. */
export interface LinkKeyProvider {
  getKey(): Promise<LinkKey>;
}

const KEY_BYTES = 32;
export const LOCAL_KEY_FILE = 'link-key';

/**
 * Local runtime: 32 random bytes in `<dataDir>/link-key`, mode 0600, made on
 * first use and kept, so links in mails caught by the local SES stay valid
 * across restarts.
 */
export class LocalLinkKeyProvider implements LinkKeyProvider {
  private key?: Promise<LinkKey>;

  constructor(private readonly dataDir: string) {}

  getKey(): Promise<LinkKey> {
    this.key ??= loadOrCreateLocalKey(this.dataDir).catch((error: unknown) => {
      this.key = undefined;
      throw error;
    });
    return this.key;
  }
}

async function loadOrCreateLocalKey(dataDir: string): Promise<LinkKey> {
  const file = join(dataDir, LOCAL_KEY_FILE);
  const existing = await readKeyFile(file);
  if (existing) return existing;

  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // Write a private temp file, then hard-link it into place: link() fails if the
  // key exists, so two processes starting together never overwrite each other's
  // key or read a half-written one.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, randomBytes(KEY_BYTES), { mode: 0o600, flag: 'wx' });
  try {
    await link(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(tmp);
  }
  const key = await readKeyFile(file);
  if (!key) throw new Error(`could not create ${file}`);
  return key;
}

async function readKeyFile(file: string): Promise<LinkKey | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (bytes.length !== KEY_BYTES) throw new Error(`${file} must hold exactly ${KEY_BYTES} bytes`);
  return bytes;
}

/**
 * Keys fetched from Secrets Manager, per secret id, in module scope: a warm
 * Lambda reuses the key instead of calling Secrets Manager on every request.
 * A failed fetch is dropped so the next request retries.
 */
const secretCache = new Map<string, Promise<LinkKey>>();

/** For tests. */
export function clearLinkKeyCache(): void {
  secretCache.clear();
}

/**
 * AWS: the key is a Secrets Manager secret. Either SecretBinary (raw bytes) or a
 * SecretString whose UTF-8 bytes are the key; e.g. CDK `generateSecretString:
 * { passwordLength: 64, excludePunctuation: true }` (about 380 bits).
 * At least 32 bytes either way.
 */
export class SecretsManagerLinkKeyProvider implements LinkKeyProvider {
  constructor(
    private readonly secretId: string,
    private readonly client: SecretsManagerClient = getSecretsClient(),
  ) {}

  getKey(): Promise<LinkKey> {
    let key = secretCache.get(this.secretId);
    if (!key) {
      key = this.fetch().catch((error: unknown) => {
        secretCache.delete(this.secretId);
        throw error;
      });
      secretCache.set(this.secretId, key);
    }
    return key;
  }

  private async fetch(): Promise<LinkKey> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    const key = out.SecretBinary
      ? Buffer.from(out.SecretBinary)
      : out.SecretString !== undefined
        ? Buffer.from(out.SecretString, 'utf8')
        : undefined;
    if (!key || key.length < KEY_BYTES) {
      // Names the secret, never its value.
      throw new Error(`secret ${this.secretId} must hold a link key of at least ${KEY_BYTES} bytes`);
    }
    return key;
  }
}
