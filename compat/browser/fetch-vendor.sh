#!/usr/bin/env bash
# Fetches the pinned browser bundles (@clerk/clerk-js, @clerk/ui; versions in package.json's
# "clerkBrowserBundles") with `npm pack` and unpacks them into vendor/node_modules/@clerk/<name>/,
# the node_modules-style folder Usher serves with --clerk-js-dir. Does nothing for a package that
# is already there at the pinned version. vendor/ is gitignored.
#   fetch-vendor.sh [DIR]   unpacks into DIR/node_modules/@clerk/<name>/ instead (default: vendor;
#                           compat/nextjs passes its own, so the two suites never share a folder)
# (`npm install @clerk/ui` fails on this registry: it needs a newer @clerk/localizations than the
# mirror has; `npm pack` fetches the tarball alone, which is all a browser needs.)
set -euo pipefail
cd "$(dirname "$0")"
VENDOR=${1:-vendor}
mkdir -p "$VENDOR/node_modules/@clerk" "$VENDOR/tarballs"
for pkg in clerk-js ui; do
  version=$(node -p "require('./package.json').clerkBrowserBundles['@clerk/$pkg']")
  dest="$VENDOR/node_modules/@clerk/$pkg"
  if [ -f "$dest/package.json" ] && [ "$(node -p "require(require('path').resolve('$dest/package.json')).version")" = "$version" ]; then
    continue
  fi
  echo "fetch-vendor: npm pack @clerk/$pkg@$version" >&2
  tarball=$(cd "$VENDOR/tarballs" && npm pack --silent "@clerk/$pkg@$version" 2>/dev/null | tail -n1)
  rm -rf "$dest" && mkdir -p "$dest"
  tar -xzf "$VENDOR/tarballs/$tarball" -C "$dest" --strip-components=1
  test -f "$dest/dist/$([ $pkg = ui ] && echo ui || echo clerk).browser.js" || {
    echo "fetch-vendor: @clerk/$pkg@$version has no browser bundle" >&2; exit 1; }
done
