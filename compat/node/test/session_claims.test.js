// Custom session claims (Usher's /v1/instance/session_token extension; Clerk sets them in its
// dashboard): the claims land in every session token, and @clerk/backend's authenticateRequest
// hands them to the app in toAuth().sessionClaims.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { clerk, createUserWithSession, decodeJwt, env, usherApi } from '../lib/usher.js';

const client = clerk();

/** `PATCH /v1/instance/session_token` with the secret key: `{ status, json }`. */
const putClaims = (claims) => usherApi('PATCH', '/v1/instance/session_token', { claims });

let user;
let session;

before(async () => {
  ({ user, session } = await createUserWithSession(client, {
    publicMetadata: { compatRole: 'editor' },
  }));
});

// Other suites share this instance: leave it as found.
after(async () => {
  await putClaims({});
});

describe('custom session claims', () => {
  it('are refused when they name a session claim or exceed the budget', async () => {
    const reserved = await putClaims({ sid: 'x' });
    assert.equal(reserved.status, 422);
    assert.equal(reserved.json.errors[0].code, 'form_param_value_invalid');
    assert.equal(reserved.json.errors[0].meta.param_name, 'claims');
    const big = await putClaims({ blob: 'x'.repeat(1300) });
    assert.equal(big.status, 422);
    assert.match(big.json.errors[0].long_message, /1200 bytes/);
  });

  it('reach toAuth().sessionClaims through authenticateRequest', async () => {
    const saved = await putClaims({
      compat_role: '{{user.public_metadata.compatRole || \'viewer\'}}',
      compat_uid: '{{user.id}}',
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.json));
    assert.equal(saved.json.object, 'session_token_template');

    const jwt = (await client.sessions.getToken(session.id)).jwt;
    assert.equal(decodeJwt(jwt).payload.compat_role, 'editor');

    const withPk = clerk({ publishableKey: env.publishableKey });
    const request = new Request('http://localhost:3000/api/me', {
      headers: { Authorization: `Bearer ${jwt}` },
    });
    const state = await withPk.authenticateRequest(request, { jwtKey: env.jwtKey });
    assert.equal(state.isSignedIn, true, `reason: ${state.reason} ${state.message}`);
    const auth = state.toAuth();
    assert.equal(auth.userId, user.id);
    assert.equal(auth.sessionClaims.compat_role, 'editor');
    assert.equal(auth.sessionClaims.compat_uid, user.id);
    assert.equal(auth.sessionClaims.sid, session.id, 'default claims are kept');
  });
});
