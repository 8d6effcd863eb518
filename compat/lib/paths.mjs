// Where things live for every suite: the repository root, the server binary, Debian's Chromium,
// and a suite's artifacts directory. Relative USHER_BIN / USHER_ARTIFACTS_DIR are taken from the
// repository root, so a suite behaves the same whatever folder it is started from.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const USHER_BIN = path.resolve(REPO_ROOT, process.env.USHER_BIN || 'target/release/usher');
export const CHROMIUM = process.env.USHER_CHROMIUM || '/usr/bin/chromium';

/** Screenshots, proxy and server logs of one suite (USHER_ARTIFACTS_DIR, else target/test-logs/<suite>). */
export function artifactsDir(suite) {
  return path.resolve(REPO_ROOT, process.env.USHER_ARTIFACTS_DIR || `target/test-logs/${suite}`);
}
