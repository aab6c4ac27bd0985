/**
 * vitest globalSetup of the integration and browser projects: DynamoDB Local is
 * a Java program, so a machine without Java gets one line saying what to
 * install, before any test runs, instead of a wall of failed suites.
 */
import { spawnSync } from 'node:child_process';

export const JAVA_MISSING =
  'Java is not installed: DynamoDB Local (integration and browser tests) needs Java 17 or newer on PATH (Debian/Ubuntu: apt-get install -y default-jre-headless).';

/** Whether `java -version` runs on this PATH. */
export function javaAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  const result = spawnSync('java', ['-version'], { env, stdio: 'ignore' });
  return result.error === undefined && result.status === 0;
}

export default function preflight(): void {
  if (javaAvailable()) return;
  process.stderr.write(`\n${JAVA_MISSING}\n\n`);
  process.exit(1);
}
