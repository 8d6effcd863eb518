// Impersonation: actor tokens made and revoked with @clerk/backend's actorTokens, redeemed
// through the Frontend API's sign-in with `strategy=ticket` (what clerk-js sends for the ticket
// in an actor token's link); the session token carries `act`, which authenticateRequest shows
// as `toAuth().actor`. Revoking the accepted token ends the session.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { clerk, createUser, env, expectApiError, frontendBrowser } from '../lib/usher.js';

const client = clerk();
const ADMIN = 'user_2admin000000000000000000000';

describe('actorTokens', () => {
  it('starts an impersonation session whose token authenticateRequest reads as actor', async () => {
    const user = await createUser(client);
    const actor = { sub: ADMIN, reason: 'support' };
    const t = await client.actorTokens.create({ userId: user.id, actor, expiresInSeconds: 600 });
    assert.ok(t.id.startsWith('act_'));
    assert.equal(t.userId, user.id);
    assert.equal(t.status, 'pending');
    assert.deepEqual(t.actor, actor);
    assert.ok(t.token);

    const post = await frontendBrowser();
    const signIn = await post('/v1/client/sign_ins', { strategy: 'ticket', ticket: t.token });
    assert.equal(signIn.status, 200, JSON.stringify(signIn.body));
    assert.equal(signIn.body.response.status, 'complete');
    const sid = signIn.body.response.created_session_id;
    const session = await client.sessions.getSession(sid);
    assert.equal(session.userId, user.id);
    assert.deepEqual(session.actor, actor);

    const token = await post(`/v1/client/sessions/${sid}/tokens`, {});
    assert.equal(token.status, 200, JSON.stringify(token.body));
    const withPk = clerk({ publishableKey: env.publishableKey });
    const request = new Request('http://localhost:3000/api/me', {
      headers: { Authorization: `Bearer ${token.body.jwt}` },
    });
    const state = await withPk.authenticateRequest(request, { jwtKey: env.jwtKey });
    assert.equal(state.isSignedIn, true, `reason: ${state.reason} ${state.message}`);
    const auth = state.toAuth();
    assert.equal(auth.userId, user.id);
    assert.equal(auth.sessionId, sid);
    assert.deepEqual(auth.actor, actor);

    const again = await (await frontendBrowser())('/v1/client/sign_ins', { strategy: 'ticket', ticket: t.token });
    assert.equal(again.status, 400);
    assert.equal(again.body.errors[0].code, 'ticket_invalid');

    const revoked = await client.actorTokens.revoke(t.id);
    assert.equal(revoked.status, 'revoked');
    assert.equal((await client.sessions.getSession(sid)).status, 'revoked');
    const refused = await post(`/v1/client/sessions/${sid}/tokens`, {});
    assert.equal(refused.status, 422);
    assert.equal(refused.body.errors[0].code, 'session_not_active');
  });

  it('refuses a revoked ticket and bad input with Clerk errors', async () => {
    const user = await createUser(client);
    const t = await client.actorTokens.create({ userId: user.id, actor: { sub: ADMIN } });
    await client.actorTokens.revoke(t.id);
    const r = await (await frontendBrowser())('/v1/client/sign_ins', { strategy: 'ticket', ticket: t.token });
    assert.equal(r.status, 400);
    assert.equal(r.body.errors[0].code, 'ticket_invalid');
    await expectApiError(client.actorTokens.revoke(t.id), { status: 400, code: 'actor_token_already_revoked' });
    await expectApiError(client.actorTokens.create({ userId: user.id, actor: { role: 'x' } }), {
      status: 422,
      code: 'form_param_missing',
    });
    await expectApiError(
      client.actorTokens.create({ userId: 'user_2zzzzzzzzzzzzzzzzzzzzzzzzzz', actor: { sub: ADMIN } }),
      { status: 404, code: 'resource_not_found' },
    );
  });
});
