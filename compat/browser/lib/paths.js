// Where things live: the repository root, this suite, the vendored bundles and the artifacts dir.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SUITE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(SUITE_DIR, '../..');
export const VENDOR_DIR = path.join(SUITE_DIR, 'vendor', 'node_modules');
/** clerk-js 5, whose bundle carries its own prebuilt UI. */
export const VENDOR5_DIR = path.join(SUITE_DIR, 'vendor', 'v5', 'node_modules');
/** Screenshots, proxy logs, server logs. Relative values are taken from the repository root. */
export const ARTIFACTS_DIR = path.resolve(REPO_ROOT, process.env.USHER_ARTIFACTS_DIR || 'target/test-logs/browser');
export const USHER_BIN = path.resolve(REPO_ROOT, process.env.USHER_BIN || 'target/release/usher');
export const CHROMIUM = process.env.USHER_CHROMIUM || '/usr/bin/chromium';
