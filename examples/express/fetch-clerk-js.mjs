// Puts Clerk's browser bundles (versions in package.json's "clerkBrowserBundles") into
// vendor/@clerk/<name>/, where server.js serves them; runs before `npm start` and does nothing
// once they are there. `npm pack` fetches each tarball alone: the page needs only the prebuilt
// dist/ files, and `npm install @clerk/ui` fails on registries whose @clerk/localizations is
// older than it asks for.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { clerkBrowserBundles } = JSON.parse(fs.readFileSync(path.join(here, 'package.json'), 'utf8'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

for (const [name, version] of Object.entries(clerkBrowserBundles)) {
  const dest = path.join(here, 'vendor', name);
  const manifest = path.join(dest, 'package.json');
  if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).version === version) continue;
  const tarballs = path.join(here, 'vendor', 'tarballs');
  fs.mkdirSync(tarballs, { recursive: true });
  console.error(`fetching ${name}@${version}`);
  const out = execFileSync(npm, ['pack', '--silent', `${name}@${version}`], { cwd: tarballs, encoding: 'utf8' });
  const tarball = out.trim().split('\n').pop();
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  execFileSync('tar', ['-xzf', path.join(tarballs, tarball), '-C', dest, '--strip-components=1']);
}
