// One `usher serve` (the shared launcher, ../../lib/usher.mjs) per environment, and a browser-like
// Frontend API client that records every exchange for the spec check.
import { startUsher as launch, liveSecretKey } from '../../lib/usher.mjs';
import { bapi } from '../../lib/bapi.mjs';
import { cookieHeader, keepCookies } from '../../lib/cookies.mjs';
import { nextEmailedCode } from '../../lib/mail.mjs';

export const APP_ORIGIN = 'http://localhost:3000';
/** What clerk-js 6 sends on every Frontend API call. */
const CLERK_QUERY = { __clerk_api_version: '2025-11-10', _clerk_js_version: '6.40.0' };

/**
 * @param {'production'|'development'} environment
 * @param {{forced?: boolean}} [options] forced: --force-organization-selection true
 */
export function startUsher(environment, { forced = false } = {}) {
  const production = environment === 'production';
  return launch({
    name: `fapi-spec-${environment}${forced ? '-forced' : ''}`,
    environment,
    allowedOrigins: APP_ORIGIN,
    frontendHost: production ? 'clerk.localhost:3000' : 'happy-hippo-13.clerk.accounts.dev',
    secretKey: production ? liveSecretKey() : undefined,
    args: [
      '--organizations', 'true', '--organization-domains', 'true',
      ...(forced ? ['--force-organization-selection', 'true'] : []),
    ],
  });
}

/** The newest one-time code emailed to `address` (read back through the Backend API). */
export async function emailedCode(usher, address, seen) {
  return (await nextEmailedCode(bapi(usher), address, { seen })).code;
}

/**
 * A browser tab running clerk-js: form bodies, PATCH/DELETE tunnelled as `POST ?_method=`, an
 * `Origin` on every call, the `__client` cookie kept (or the dev-browser token sent). Every
 * exchange lands in `exchanges` as `{method, url, status, body}`.
 */
export class Browser {
  constructor(usher, exchanges) {
    this.usher = usher;
    this.exchanges = exchanges;
    this.jar = new Map();
    this.devToken = null;
    this.sessionId = null;
  }

  async send(method, p, form) {
    const url = new URL(p, this.usher.frontendUrl);
    const tunnel = method === 'PATCH' || method === 'PUT' || method === 'DELETE' ? method : null;
    if (tunnel) url.searchParams.set('_method', tunnel);
    for (const [k, v] of Object.entries(CLERK_QUERY)) url.searchParams.set(k, v);
    if ((p.startsWith('/v1/me') || p.startsWith('/v1/organizations')) && this.sessionId) url.searchParams.set('_clerk_session_id', this.sessionId);
    if (this.devToken) url.searchParams.set('__clerk_db_jwt', this.devToken);
    const headers = { Origin: APP_ORIGIN };
    if (this.jar.size) headers.Cookie = cookieHeader(this.jar);
    const httpMethod = method === 'GET' ? 'GET' : 'POST';
    let body;
    if (httpMethod === 'POST' && form instanceof FormData) {
      // An upload, as clerk-js sends one: fetch writes the multipart content type.
      body = form;
    } else if (httpMethod === 'POST') {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form || {}).toString();
    }
    const res = await fetch(url, { method: httpMethod, headers, body, redirect: 'manual' });
    keepCookies(this.jar, res);
    const text = await res.text();
    let json;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = text;
    }
    const exchange = { method: httpMethod, url: url.pathname + url.search, status: res.status, body: json };
    this.exchanges.push(exchange);
    return exchange;
  }

  /** A JSON request with the session token as the bearer, as clerk-js's `apiKeys` sends it. */
  async bearer(method, p, token, body) {
    const url = new URL(p, this.usher.frontendUrl);
    for (const [k, v] of Object.entries(CLERK_QUERY)) url.searchParams.set(k, v);
    const headers = { Origin: APP_ORIGIN, Authorization: `Bearer ${token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    const exchange = { method, url: url.pathname + url.search, status: res.status, body: text === '' ? undefined : JSON.parse(text) };
    this.exchanges.push(exchange);
    return exchange;
  }

  get(p) {
    return this.send('GET', p);
  }
  post(p, form) {
    return this.send('POST', p, form);
  }
  patch(p, form) {
    return this.send('PATCH', p, form);
  }
  delete(p, form) {
    return this.send('DELETE', p, form);
  }
  put(p, form) {
    return this.send('PUT', p, form);
  }
}
