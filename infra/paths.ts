import { fileURLToPath } from 'node:url';

/** Repository root (absolute), for handler entries and the lock file. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/[\\/]$/, '');
