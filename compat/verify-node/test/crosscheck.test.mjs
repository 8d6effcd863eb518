// Cross-check: every token of the corpus written by `crates/verify/examples/crosscheck.rs`
// goes through the official @clerk/backend `authenticateRequest` (Bearer header, the same
// keys and options), and the decision must be the same both ways: a token Clerk accepts,
// usher-verify accepts, and vice versa. For accepted tokens the decoded auth object (user,
// session, organization id/slug/role/permissions, factor age, actor, all claims) and every
// `has()` check must agree; for refused tokens the reason must agree, except where
// usher-verify is deliberately more precise (KNOWN_REASON_DIFFERENCES, documented in the
// crate's README section).
//
//   CROSSCHECK_CORPUS=/path/to/corpus.json node --test test/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createClerkClient } from '@clerk/backend';

const corpusPath = process.env.CROSSCHECK_CORPUS;
if (!corpusPath) {
  throw new Error('CROSSCHECK_CORPUS is not set (run crates/verify/ci.sh, which writes it)');
}
const corpus = JSON.parse(readFileSync(corpusPath, 'utf8'));

// Where the reasons differ on purpose. Both sides still refuse the token.
const KNOWN_REASON_DIFFERENCES = {
  // Clerk reports a signature-verification failure when a PEM key meets another algorithm;
  // usher-verify names the algorithm. (No such case in the corpus today; kept for clarity.)
};

function clerkFor(c) {
  const opts = {
    secretKey: corpus.secretKey,
    publishableKey: corpus.publishableKey,
    apiUrl: corpus.apiUrl,
  };
  if (c.key === 'custom') opts.jwtKey = corpus.customPem;
  if (c.key === 'usher-pem') opts.jwtKey = corpus.usherPem;
  if (c.authorizedParties.length) opts.authorizedParties = c.authorizedParties;
  return opts;
}

function parseCheck(name) {
  const i = name.indexOf(':');
  return { [name.slice(0, i)]: name.slice(i + 1) };
}

let accepted = 0;
let refused = 0;

for (const c of corpus.cases) {
  test(c.name, async () => {
    const opts = clerkFor(c);
    const clerk = createClerkClient({ secretKey: opts.secretKey, apiUrl: opts.apiUrl, publishableKey: opts.publishableKey });
    const req = new Request('http://localhost:3000/api', { headers: { authorization: `Bearer ${c.token}` } });
    const state = await clerk.authenticateRequest(req, opts);
    const rust = c.rust;
    assert.equal(rust.status, state.status, `status (clerk reason: ${state.reason})`);
    const auth = state.toAuth();
    assert.equal(rust.isAuthenticated, Boolean(auth?.isAuthenticated), 'isAuthenticated');
    if (state.status === 'signed-in') {
      assert.equal(rust.sessionStatus ?? null, auth.sessionStatus ?? null, 'sessionStatus');
    } else {
      const known = KNOWN_REASON_DIFFERENCES[c.name];
      if (known) {
        assert.deepEqual([state.reason, rust.reason], known);
      } else {
        assert.equal(rust.reason, state.reason, 'reason');
      }
    }
    if (auth?.isAuthenticated && auth.tokenType === 'session_token') {
      accepted += 1;
      const a = rust.auth;
      assert.ok(a, 'usher-verify decoded a session');
      assert.equal(a.userId, auth.userId);
      assert.equal(a.sessionId ?? undefined, auth.sessionId ?? undefined);
      assert.equal(a.sessionStatus ?? null, auth.sessionStatus ?? null);
      assert.equal(a.orgId ?? undefined, auth.orgId ?? undefined, 'orgId');
      assert.equal(a.orgSlug ?? undefined, auth.orgSlug ?? undefined, 'orgSlug');
      assert.equal(a.orgRole ?? undefined, auth.orgRole ?? undefined, 'orgRole');
      assert.deepEqual(a.orgPermissions ?? undefined, auth.orgPermissions ?? undefined, 'orgPermissions');
      assert.deepEqual(a.factorVerificationAge ?? null, auth.factorVerificationAge ?? null, 'factorVerificationAge');
      assert.deepEqual(a.actor ?? undefined, auth.actor ?? undefined, 'actor');
      assert.deepEqual(a.sessionClaims, auth.sessionClaims, 'sessionClaims');
      for (const name of corpus.checks) {
        assert.equal(rust.has[name], auth.has(parseCheck(name)), `has(${name})`);
      }
    } else {
      refused += 1;
    }
  });
}

test('the corpus exercises both outcomes', () => {
  assert.ok(corpus.cases.length >= 30, `${corpus.cases.length} cases`);
  assert.ok(accepted >= 10, `${accepted} accepted`);
  assert.ok(refused >= 15, `${refused} refused`);
});
