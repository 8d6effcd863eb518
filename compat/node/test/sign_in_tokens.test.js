// Sign-in tokens made with @clerk/backend's signInTokens, spent through the Frontend API's
// sign-in with `strategy=ticket` (what clerk-js sends for `signIn.create({ strategy: 'ticket' })`):
// the ticket signs its user in once; a spent or revoked one is refused with `ticket_invalid`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { clerk, createUser, expectApiError, frontendBrowser } from '../lib/usher.js';

const client = clerk();

/** A fresh browser's `POST /v1/client/sign_ins` with a ticket, as clerk-js sends it. */
async function signInWithTicket(ticket) {
  const post = await frontendBrowser();
  return post('/v1/client/sign_ins', { strategy: 'ticket', ticket });
}

describe('signInTokens', () => {
  it('signs the user in once with the ticket', async () => {
    const user = await createUser(client);
    const t = await client.signInTokens.createSignInToken({ userId: user.id, expiresInSeconds: 600 });
    assert.ok(t.id.startsWith('sit_'));
    assert.equal(t.userId, user.id);
    assert.equal(t.status, 'pending');
    assert.ok(t.token);

    const first = await signInWithTicket(t.token);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.response.status, 'complete');
    const session = await client.sessions.getSession(first.body.response.created_session_id);
    assert.equal(session.userId, user.id);

    const again = await signInWithTicket(t.token);
    assert.equal(again.status, 400);
    assert.equal(again.body.errors[0].code, 'ticket_invalid');
    await expectApiError(client.signInTokens.revokeSignInToken(t.id), { status: 400, code: 'sign_in_token_not_pending' });
  });

  it('refuses a revoked ticket', async () => {
    const user = await createUser(client);
    const t = await client.signInTokens.createSignInToken({ userId: user.id });
    const revoked = await client.signInTokens.revokeSignInToken(t.id);
    assert.equal(revoked.status, 'revoked');
    const r = await signInWithTicket(t.token);
    assert.equal(r.status, 400);
    assert.equal(r.body.errors[0].code, 'ticket_invalid');
  });
});
