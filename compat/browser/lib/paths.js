// Where things live: this suite, the vendored bundles and the artifacts dir (the repository
// root, the server binary and Chromium come from ../../lib/paths.mjs).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { artifactsDir } from '../../lib/paths.mjs';

export { REPO_ROOT, USHER_BIN, CHROMIUM } from '../../lib/paths.mjs';
export const SUITE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const VENDOR_DIR = path.join(SUITE_DIR, 'vendor', 'node_modules');
/** clerk-js 5, whose bundle carries its own prebuilt UI. */
export const VENDOR5_DIR = path.join(SUITE_DIR, 'vendor', 'v5', 'node_modules');
/** Screenshots, proxy logs, server logs. */
export const ARTIFACTS_DIR = artifactsDir('browser');
