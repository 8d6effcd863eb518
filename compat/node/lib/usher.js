// Shared helpers for the @clerk/backend compatibility suite.
// Every call to Usher goes through Clerk's official SDK; these helpers only
// read the environment set by compat/harness/start-usher.sh, build clients,
// and make assertions shorter.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

import { createClerkClient } from '@clerk/backend';
import { isClerkAPIResponseError } from '@clerk/backend/errors';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the suite through compat/harness/start-usher.sh`);
  }
  return value;
}

export const env = {
  get apiUrl() {
    return required('USHER_API_URL');
  },
  get secretKey() {
    return required('USHER_SECRET_KEY');
  },
  get publishableKey() {
    return required('USHER_PUBLISHABLE_KEY');
  },
  get jwtKey() {
    return required('USHER_JWT_KEY');
  },
  /** The Frontend API's base URL, without a trailing slash. */
  get frontendApiUrl() {
    return required('USHER_FRONTEND_API_URL').replace(/\/$/, '');
  },
};

/**
 * A fresh browser as clerk-js is one: its dev-browser token (on development instances), and a
 * function making its Frontend API calls, `POST path` with a form body, answering
 * `{status, body}`.
 */
export async function frontendBrowser() {
  const base = env.frontendApiUrl;
  const dev = await fetch(`${base}/v1/dev_browser`, { method: 'POST' });
  const devToken = dev.ok ? (await dev.json()).token : undefined;
  return async (path, form) => {
    const url = new URL(base + path);
    if (devToken) url.searchParams.set('__clerk_db_jwt', devToken);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    return { status: res.status, body: await res.json() };
  };
}

/**
 * A call to one of Usher's Backend API extensions, which @clerk/backend has no method for: plain
 * fetch with the secret key (or `key`) and a JSON body, answering `{ status, json }`.
 */
export async function usherApi(method, path, body, { key = env.secretKey } = {}) {
  const res = await fetch(`${env.apiUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** A Backend API client pointed at Usher (the harness's, unless `options` names another). */
export function clerk(options = {}) {
  return createClerkClient({
    telemetry: { disabled: true },
    ...options,
    secretKey: options.secretKey ?? env.secretKey,
    apiUrl: options.apiUrl ?? env.apiUrl,
  });
}

/** A Backend API client for an Usher the test started itself (`startUsher`). */
export function clerkFor(usher) {
  return clerk({ secretKey: usher.secretKey, publishableKey: usher.publishableKey, apiUrl: usher.apiUrl });
}

/** A short random tag: unique per call, safe in emails and usernames. */
export function tag(prefix = 't') {
  return `${prefix}${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}

export function uniqueEmail(prefix = 'user') {
  return `${tag(prefix)}@example.com`;
}

export const PASSWORD = 'correct-horse-battery-staple-42';

/** Creates a user with a unique email and a password, merging `params`. */
export async function createUser(client, params = {}) {
  return client.users.createUser({
    emailAddress: [uniqueEmail()],
    password: PASSWORD,
    ...params,
  });
}

/** Creates a user and a session for them, through the SDK. */
export async function createUserWithSession(client, params = {}) {
  const user = await createUser(client, params);
  const session = await client.sessions.createSession({ userId: user.id });
  return { user, session };
}

/**
 * Awaits `promise`, which must reject with a ClerkAPIResponseError, and checks
 * the HTTP status, the first error's code and (when given) meta.paramName.
 * `code` may be a string or an array of acceptable strings.
 */
export async function expectApiError(promise, { status, code, paramName } = {}) {
  let err;
  try {
    const value = await promise;
    assert.fail(`expected a ClerkAPIResponseError, got a result: ${JSON.stringify(value)}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    err = e;
  }
  assert.ok(isClerkAPIResponseError(err), `expected a ClerkAPIResponseError, got ${err?.name}: ${err?.message}`);
  const detail = `status ${err.status}, errors ${JSON.stringify(err.errors)}`;
  if (typeof status === 'function') {
    assert.ok(status(err.status), `unexpected status: ${detail}`);
  } else if (status !== undefined) {
    assert.equal(err.status, status, `unexpected status: ${detail}`);
  }
  assert.ok(err.errors.length > 0, `the error body carries no errors[] (is Content-Type exactly application/json?): ${detail}`);
  const first = err.errors[0];
  assert.equal(typeof first.code, 'string', detail);
  assert.ok(first.code.length > 0, detail);
  assert.equal(typeof first.message, 'string', `errors[0].message: ${detail}`);
  assert.ok(first.message.length > 0, `errors[0].message: ${detail}`);
  assert.equal(typeof first.longMessage, 'string', `errors[0].long_message: ${detail}`);
  assert.ok(first.longMessage.length > 0, `errors[0].long_message: ${detail}`);
  if (Array.isArray(code)) {
    assert.ok(code.includes(first.code), `errors[0].code ${first.code} not in ${code.join(', ')}`);
  } else if (code !== undefined) {
    assert.equal(first.code, code, `errors[0].code: ${detail}`);
  }
  if (paramName !== undefined) {
    assert.equal(first.meta?.paramName, paramName, `errors[0].meta.param_name: ${detail}`);
  }
  assert.equal(typeof err.clerkTraceId, 'string', 'clerkTraceId');
  assert.ok(err.clerkTraceId.length > 0, 'clerk_trace_id must be present in error bodies');
  return err;
}

/** Awaits a promise that must reject; returns the error (any kind). */
export async function rejection(promise) {
  try {
    const value = await promise;
    assert.fail(`expected a rejection, got ${JSON.stringify(value)}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    return e;
  }
}

function b64urlJson(part) {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

/** Splits a JWT into its decoded header and payload (no verification). */
export function decodeJwt(jwt) {
  assert.equal(typeof jwt, 'string', 'jwt must be a string');
  const parts = jwt.split('.');
  assert.equal(parts.length, 3, 'a JWT has three parts');
  return { header: b64urlJson(parts[0]), payload: b64urlJson(parts[1]), parts };
}

/** The Frontend API host encoded in a publishable key (pk_test_<base64(host$)>). */
export function hostFromPublishableKey(pk) {
  const encoded = pk.split('_')[2];
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  assert.ok(decoded.endsWith('$'), `publishable key payload must end with $: ${decoded}`);
  return decoded.slice(0, -1);
}

/** Asserts that `value` is an integer timestamp in milliseconds close to now. */
export function assertRecentMs(value, label, { slackMs = 10 * 60 * 1000 } = {}) {
  assert.equal(typeof value, 'number', `${label} must be a number, got ${JSON.stringify(value)}`);
  assert.ok(Number.isInteger(value), `${label} must be an integer, got ${value}`);
  assert.ok(Math.abs(value - Date.now()) < slackMs, `${label} must be milliseconds near now, got ${value}`);
}

/** Asserts the result is a deserialised SDK resource (not a raw JSON string). */
export function assertResource(value, object) {
  assert.notEqual(typeof value, 'string', 'the SDK returned a string: the response Content-Type was not exactly application/json');
  assert.ok(value && typeof value === 'object', `expected a ${object} resource, got ${JSON.stringify(value)}`);
  if (value.raw !== undefined) {
    assert.equal(value.raw.object, object);
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
