// A browser's cookie jar for the suites that talk to the Frontend API without one: a Map of
// name → value, sent back as a `Cookie` header and kept up to date from each response.

/** The `Cookie` header for `jar`, or undefined when it is empty. */
export function cookieHeader(jar) {
  return jar.size ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
}

/** Keeps the cookies `res` sets in `jar`, and forgets those it expires or empties. */
export function keepCookies(jar, res) {
  for (const c of res.headers.getSetCookie()) {
    const [pair, ...attrs] = c.split(/;\s*/);
    const i = pair.indexOf('=');
    const [name, value] = [pair.slice(0, i), pair.slice(i + 1)];
    if (attrs.some((a) => /^max-age=0$/i.test(a)) || value === '') jar.delete(name);
    else jar.set(name, value);
  }
}
