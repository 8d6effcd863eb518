#!/usr/bin/env bash
# Fetches the pinned browser bundles with `npm pack` and unpacks them into node_modules-style
# folders Usher serves with --clerk-js-dir: clerk-js 6 and @clerk/ui (package.json's
# "clerkBrowserBundles") into vendor/node_modules/@clerk/<name>/, clerk-js 5 (its UI built in;
# "clerkBrowserBundles5") into vendor/v5/node_modules/@clerk/clerk-js/. Does nothing for a
# package that is already there at the pinned version. vendor/ is gitignored.
#   fetch-vendor.sh [DIR]   unpacks into DIR/… instead of vendor/… (compat/nextjs passes its own,
#                           so the two suites never share a folder)
# (`npm install @clerk/ui` fails on this registry: it needs a newer @clerk/localizations than the
# mirror has; `npm pack` fetches the tarball alone, which is all a browser needs.)
set -euo pipefail
cd "$(dirname "$0")"
VENDOR=${1:-vendor}
# fetch <package.json key> <package> <dest node_modules>
fetch() {
  local key=$1 pkg=$2 modules=$3
  local version dest tarball
  version=$(node -p "require('./package.json')['$key']['@clerk/$pkg']")
  dest="$modules/@clerk/$pkg"
  if [ -f "$dest/package.json" ] && [ "$(node -p "require(require('path').resolve('$dest/package.json')).version")" = "$version" ]; then
    return 0
  fi
  echo "fetch-vendor: npm pack @clerk/$pkg@$version" >&2
  tarball=$(cd "$VENDOR/tarballs" && npm pack --silent "@clerk/$pkg@$version" 2>/dev/null | tail -n1)
  rm -rf "$dest" && mkdir -p "$dest"
  tar -xzf "$VENDOR/tarballs/$tarball" -C "$dest" --strip-components=1
  test -f "$dest/dist/$([ "$pkg" = ui ] && echo ui || echo clerk).browser.js" || {
    echo "fetch-vendor: @clerk/$pkg@$version has no browser bundle" >&2; exit 1; }
}
mkdir -p "$VENDOR/node_modules/@clerk" "$VENDOR/v5/node_modules/@clerk" "$VENDOR/tarballs"
fetch clerkBrowserBundles clerk-js "$VENDOR/node_modules"
fetch clerkBrowserBundles ui "$VENDOR/node_modules"
# clerk-js 5 bundles its prebuilt UI: no @clerk/ui beside it. (Only this suite runs clerk-js 5.)
[ "$VENDOR" = vendor ] && fetch clerkBrowserBundles5 clerk-js "$VENDOR/v5/node_modules"
exit 0
