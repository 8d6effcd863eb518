#!/usr/bin/env python3
"""Which of Clerk's published API operations a running Usher serves, per spec tag.

Every operation of Clerk's Backend API and Frontend API specs (`../shared/specs/clerk/`, or
USHER_SPECS_DIR) is sent once to the running server, with placeholder path parameters and an empty
body. An operation counts as *served* unless the answer is the router's own "no such route"
(404 with the route fallback's message) or 405: the probe asks the router, not the handler, so a
404 for an unknown object, a 422 for the empty body or a 403 still counts as served.

    api_coverage.py                 print the per-tag table (Markdown)
    api_coverage.py --check FILE    exit 1 unless FILE's table (between the markers) is current
    api_coverage.py --write FILE    replace FILE's table with the current one

Needs USHER_API_URL, USHER_FRONTEND_API_URL and USHER_SECRET_KEY (compat/harness/start-usher.sh
exports them) and PyYAML.
"""
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
from collections import OrderedDict

import yaml

ROUTE_MISSING = "The requested resource was not found."
START = "<!-- api-coverage:start -->"
END = "<!-- api-coverage:end -->"
METHODS = ("get", "post", "put", "patch", "delete")


def specs_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "..", "..", "shared", "specs", "clerk")
    return os.environ.get("USHER_SPECS_DIR", default)


def load(name):
    folder = os.path.join(specs_dir(), name)
    files = sorted(f for f in os.listdir(folder) if f.endswith(".yml"))
    with open(os.path.join(folder, files[-1]), encoding="utf-8") as f:
        return files[-1][:-4], yaml.safe_load(f)


def operations(spec):
    for path, item in spec["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is not None:
                yield method.upper(), path, (op.get("tags") or ["(untagged)"])[0]


def probe(base, prefix, method, path, headers):
    concrete = re.sub(r"\{[^}]+\}", "probe_0000", path)
    body = b"{}" if method in ("POST", "PUT", "PATCH") else None
    req = urllib.request.Request(base + prefix + concrete, data=body, method=method)
    for k, v in headers.items():
        req.add_header(k, v)
    for _ in range(20):
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return True
        except urllib.error.HTTPError as e:
            text = e.read().decode("utf-8", "replace")
            if e.code == 429:
                time.sleep(float(e.headers.get("Retry-After") or 1))
                continue
            if e.code == 405:
                return False
            if e.code == 404:
                try:
                    errors = json.loads(text).get("errors") or [{}]
                except ValueError:
                    return True
                return errors[0].get("long_message") != ROUTE_MISSING
            return True
    raise SystemExit(f"{method} {path}: still throttled after 20 tries")


def surface(name, title, base, prefix, headers):
    version, spec = load(name)
    tags = OrderedDict()
    for method, path, tag in operations(spec):
        served = probe(base, prefix, method, path, headers)
        counts = tags.setdefault(tag, [0, 0, []])
        counts[0 if served else 1] += 1
        if served:
            counts[2].append(f"{method} {path}")
    return title, version, tags


def table(surfaces):
    out = []
    for title, version, tags in surfaces:
        served = sum(c[0] for c in tags.values())
        total = sum(c[0] + c[1] for c in tags.values())
        out.append(f"**{title}** (Clerk's spec {version}): {served} of {total} operations served.")
        out.append("")
        out.append("| tag | served | not served |")
        out.append("|---|---:|---:|")
        for tag in sorted(tags):
            s, n, _ = tags[tag]
            out.append(f"| {tag} | {s} | {n} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def main():
    api = os.environ["USHER_API_URL"].rstrip("/")
    fapi = os.environ["USHER_FRONTEND_API_URL"].rstrip("/")
    key = os.environ["USHER_SECRET_KEY"]
    surfaces = [
        surface("bapi", "Backend API", api, "/v1", {"Authorization": f"Bearer {key}",
                                                    "Content-Type": "application/json"}),
        surface("fapi", "Frontend API", fapi, "", {"Content-Type": "application/json"}),
    ]
    current = table(surfaces)
    if "--list" in sys.argv:
        for title, _, tags in surfaces:
            for tag, (_, _, ops) in sorted(tags.items()):
                for op in ops:
                    print(f"{title}\t{tag}\t{op}")
        return 0
    if len(sys.argv) == 3 and sys.argv[1] in ("--check", "--write"):
        path = sys.argv[2]
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if START not in text or END not in text:
            raise SystemExit(f"{path} has no {START} … {END} markers")
        head, rest = text.split(START, 1)
        old, tail = rest.split(END, 1)
        if sys.argv[1] == "--write":
            with open(path, "w", encoding="utf-8") as f:
                f.write(head + START + "\n" + current + END + tail)
            print(current)
            return 0
        if old.strip() != current.strip():
            print(f"{path}: the API coverage table is out of date. Now:\n\n{current}")
            print("Regenerate it with: compat/harness/start-usher.sh compat/python/.venv/bin/python "
                  f"compat/coverage/api_coverage.py --write {path}")
            return 1
        print(current)
        return 0
    print(current)
    return 0


if __name__ == "__main__":
    sys.exit(main())
