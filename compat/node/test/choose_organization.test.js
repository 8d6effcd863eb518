// Forced organization selection (`--force-organization-selection true`) as @clerk/backend sees
// it: a session without an organization mints `sts: pending` tokens, which authenticateRequest
// accepts and toAuth() treats as signed out (sessionStatus 'pending') unless the app passes
// treatPendingAsSignedOut: false; a session in an organization is signed in with its orgId.
// Runs its own Usher, since the setting is the instance's.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startUsher } from '../../lib/usher.mjs';
import { PASSWORD, clerkFor, decodeJwt, tag, uniqueEmail } from '../lib/usher.js';

let usher;
let client;

before(async () => {
  usher = await startUsher({
    name: 'node-choose-organization',
    environment: 'development',
    args: ['--organizations', 'true', '--force-organization-selection', 'true'],
  });
  client = clerkFor(usher);
});

after(async () => {
  await usher?.stop();
});

async function requestWith(token) {
  return client.authenticateRequest(
    new Request('http://localhost:3000/api/me', { headers: { Authorization: `Bearer ${token}` } }),
    { jwtKey: usher.jwtKey },
  );
}

describe('choose-organization', () => {
  it('a pending session is signed out by default, signed in when the app opts in, and in its organization once chosen', async () => {
    const user = await client.users.createUser({ emailAddress: [uniqueEmail()], password: PASSWORD });
    const pending = await client.sessions.createSession({ userId: user.id });
    assert.equal(pending.status, 'pending');
    assert.equal(pending.lastActiveOrganizationId, null);

    const token = (await client.sessions.getToken(pending.id)).jwt;
    const claims = decodeJwt(token).payload;
    assert.equal(claims.sts, 'pending');
    assert.equal(claims.o, undefined);

    const state = await requestWith(token);
    assert.equal(state.isSignedIn, true, `reason: ${state.reason} ${state.message}`);
    const out = state.toAuth();
    assert.equal(out.userId, null);
    assert.equal(out.sessionStatus, 'pending');
    const lenient = state.toAuth({ treatPendingAsSignedOut: false });
    assert.equal(lenient.userId, user.id);
    assert.equal(lenient.sessionId, pending.id);
    assert.equal(lenient.sessionStatus, 'pending');
    assert.equal(lenient.orgId, undefined);

    // Chosen: a session in an organization the user belongs to.
    const org = await client.organizations.createOrganization({ name: `Acme ${tag()}`, createdBy: user.id });
    const active = await client.sessions.createSession({ userId: user.id, activeOrganizationId: org.id });
    assert.equal(active.status, 'active');
    assert.equal(active.lastActiveOrganizationId, org.id);
    const chosen = await requestWith((await client.sessions.getToken(active.id)).jwt);
    const auth = chosen.toAuth();
    assert.equal(auth.userId, user.id);
    assert.equal(auth.sessionStatus, 'active');
    assert.equal(auth.orgId, org.id);
    assert.equal(auth.orgRole, 'org:admin');
  });

  it('the environment tells clerk-js that selection is forced', async () => {
    const res = await fetch(`${usher.frontendUrl}/v1/environment`);
    const environment = await res.json();
    assert.equal(environment.organization_settings.enabled, true);
    assert.equal(environment.organization_settings.force_organization_selection, true);
  });
});
