// Organization claims: session tokens minted by usher-core (written by
// crates/verify/examples/org_claims.rs) go through the official @clerk/backend
// `authenticateRequest`. For each token, what the member's role grants (orgId, orgRole,
// orgSlug, orgPermissions and every `has({ role })` / `has({ permission })`) must be what
// Clerk's SDK decodes, and what usher-verify decodes must be the same. Then each token goes in
// the `__session` cookie of page navigations to paths that name an organization or the
// personal account, with `organizationSyncOptions`: Clerk's decision (signed in, or a
// handshake to activate the organization the URL names) must be usher-verify's.
//
//   ORG_CLAIMS_FIXTURES=/path/to/org-claims.json node --test org-claims/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createClerkClient } from '@clerk/backend';

const path = process.env.ORG_CLAIMS_FIXTURES;
if (!path) {
  throw new Error('ORG_CLAIMS_FIXTURES is not set (run crates/verify/ci.sh, which writes it)');
}
const fixtures = JSON.parse(readFileSync(path, 'utf8'));
// A secret key is required by the SDK; with jwtKey set nothing is fetched, and a request
// that tried would go to a closed loopback port.
const options = {
  secretKey: 'sk_live_orgclaimsorgclaimsorgclaimsorgclaims',
  publishableKey: fixtures.publishableKey,
  jwtKey: fixtures.pem,
  apiUrl: 'http://127.0.0.1:9',
};
const clerk = createClerkClient(options);
const syncOptions = {
  ...options,
  secretKey: fixtures.secretKey,
  organizationSyncOptions: {
    organizationPatterns: fixtures.organizationPatterns,
    personalAccountPatterns: fixtures.personalAccountPatterns,
  },
};
const sorted = (a) => (a == null ? a : [...a].sort());

test('the fixtures cover roles with and without custom permissions, and no organization', () => {
  const names = fixtures.cases.map((c) => c.name);
  assert.ok(names.includes('member with role org:admin'));
  assert.ok(names.includes('member with role org:billing'));
  assert.ok(names.includes('no active organization'));
  assert.ok(fixtures.cases.some((c) => (c.expected.orgPermissions ?? []).length > 53), 'a mask wider than 53 bits');
});

for (const c of fixtures.cases) {
  test(c.name, async () => {
    const req = new Request('http://localhost:3000/api', {
      headers: { authorization: `Bearer ${c.token}` },
    });
    const state = await clerk.authenticateRequest(req, options);
    assert.equal(state.status, 'signed-in', `clerk reason: ${state.reason}`);
    const auth = state.toAuth();
    const clerkSide = {
      orgId: auth.orgId ?? null,
      orgRole: auth.orgRole ?? null,
      orgSlug: auth.orgSlug ?? null,
      orgPermissions: sorted(auth.orgPermissions ?? null),
      has: {},
    };
    for (const check of Object.keys(c.expected.has)) {
      const i = check.indexOf(':');
      clerkSide.has[check] = auth.has({ [check.slice(0, i)]: check.slice(i + 1) });
    }
    const expected = { ...c.expected, orgPermissions: sorted(c.expected.orgPermissions) };
    assert.deepEqual(clerkSide, expected, '@clerk/backend decodes what the role grants');
    const verify = { ...c.usherVerify, orgPermissions: sorted(c.usherVerify.orgPermissions) };
    assert.deepEqual(verify, clerkSide, 'usher-verify decodes what @clerk/backend decodes');
  });

  test(`${c.name}: organization sync`, async () => {
    assert.ok(c.sync.some((s) => s.status === 'handshake'), 'some path asks for another organization');
    for (const rust of c.sync) {
      const req = new Request(`http://localhost:3000${rust.path}`, {
        headers: {
          'sec-fetch-dest': 'document',
          accept: 'text/html',
          cookie: `__session=${c.token}; __client_uat=${c.iat}`,
        },
      });
      const state = await clerk.authenticateRequest(req, syncOptions);
      const location = state.headers?.get('location');
      const clerkSide = {
        path: rust.path,
        status: state.status,
        reason: state.reason ?? null,
        organizationId: location ? new URL(location).searchParams.get('organization_id') : null,
      };
      assert.deepEqual(rust, clerkSide, rust.path);
    }
  });
}
