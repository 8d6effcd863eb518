// An invitation made with @clerk/backend, accepted through its emailed ticket: the link in the
// invitation email (read back through the Backend API's /v1/emails) carries `__clerk_ticket`,
// and the Frontend API's sign-up with `strategy=ticket` (what clerk-js sends on such a page)
// creates the invitee as a member with the invited role; the SDK then sees the membership and
// the invitation accepted, and the ticket does not work twice.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PASSWORD, clerk, createUser, frontendBrowser, tag, usherApi } from '../lib/usher.js';

const client = clerk();

/** The ticket in the link of the newest email to `address`. */
async function emailedTicket(address) {
  const res = await usherApi('GET', `/v1/emails?email_address=${encodeURIComponent(address)}`);
  assert.equal(res.status, 200);
  const [email] = res.json.data;
  assert.ok(email, `no email to ${address}`);
  const link = email.body_plain.match(/https?:\/\/\S*__clerk_ticket=[^\s&]+\S*/);
  assert.ok(link, email.body_plain);
  return new URL(link[0]).searchParams.get('__clerk_ticket');
}

describe('organization invitation tickets', () => {
  it('sign the invitee up as a member with the invited role, once', async () => {
    const admin = await createUser(client);
    const org = await client.organizations.createOrganization({ name: `Org ${tag()}`, createdBy: admin.id });
    const email = `${tag('ticket')}@example.com`;
    const inv = await client.organizations.createOrganizationInvitation({
      organizationId: org.id,
      inviterUserId: admin.id,
      emailAddress: email,
      role: 'org:admin',
    });
    const ticket = await emailedTicket(email);
    assert.match(ticket, /^[0-9a-f]{64}$/);

    const post = await frontendBrowser();
    const r = await post('/v1/client/sign_ups', { strategy: 'ticket', ticket, password: PASSWORD });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const signUp = r.body.response;
    assert.equal(signUp.status, 'complete', JSON.stringify(signUp));
    assert.equal(signUp.email_address, email);
    const userId = signUp.created_user_id;

    const user = await client.users.getUser(userId);
    assert.equal(user.emailAddresses[0].emailAddress, email);
    assert.equal(user.emailAddresses[0].verification?.status, 'verified');
    assert.equal(user.emailAddresses[0].verification?.strategy, 'ticket');
    const memberships = await client.organizations.getOrganizationMembershipList({ organizationId: org.id });
    const mine = memberships.data.find((m) => m.publicUserData?.userId === userId);
    assert.ok(mine, JSON.stringify(memberships.data));
    assert.equal(mine.role, 'org:admin');
    const accepted = await client.organizations.getOrganizationInvitation({ organizationId: org.id, invitationId: inv.id });
    assert.equal(accepted.status, 'accepted');

    const again = await (await frontendBrowser())('/v1/client/sign_ups', { strategy: 'ticket', ticket, password: PASSWORD });
    assert.equal(again.status, 400, JSON.stringify(again.body));
    assert.equal(again.body.errors[0].code, 'ticket_invalid');
  });
});
