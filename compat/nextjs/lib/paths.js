// Where things live: this suite, the repository root, the bundles Usher serves, the artifacts.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SUITE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(SUITE_DIR, '../..');
/** @clerk/clerk-js and @clerk/ui unpacked by ../browser/fetch-vendor.sh, for --clerk-js-dir. */
export const VENDOR_DIR = path.join(SUITE_DIR, 'vendor', 'node_modules');
export const ARTIFACTS_DIR = path.resolve(REPO_ROOT, process.env.USHER_ARTIFACTS_DIR || 'target/test-logs/nextjs');
export const USHER_BIN = path.resolve(REPO_ROOT, process.env.USHER_BIN || 'target/release/usher');
export const CHROMIUM = process.env.USHER_CHROMIUM || '/usr/bin/chromium';
