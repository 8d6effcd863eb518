// Where things live: this suite, the bundles Usher serves, the artifacts (the repository root and
// the server binary come from ../../lib/paths.mjs).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { artifactsDir } from '../../lib/paths.mjs';

export { REPO_ROOT, USHER_BIN } from '../../lib/paths.mjs';

export const SUITE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** @clerk/clerk-js and @clerk/ui unpacked by ../browser/fetch-vendor.sh, for --clerk-js-dir. */
export const VENDOR_DIR = path.join(SUITE_DIR, 'vendor', 'node_modules');
export const ARTIFACTS_DIR = artifactsDir('nextjs');
