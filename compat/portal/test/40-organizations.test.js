// The Organizations section of /user: an invitation made over the Backend API is listed with an
// Accept button; clicking it makes the membership (read back over the Backend API) and the page
// lists the organization with its role.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { bapi, flowArtifacts, launchBrowser, newContext, signUp, step, uniqueEmail } from '../lib/harness.js';

const browser = await launchBrowser();
after(() => browser.close());

test('accept an organization invitation from the account page', async () => {
  const art = flowArtifacts('40-organizations');
  const context = await newContext(browser);
  const page = await context.newPage();
  const email = uniqueEmail('grace');
  await signUp(art, page, email, 'Grace');
  const user = (await bapi('GET', `/v1/users?email_address=${encodeURIComponent(email)}`))[0].id;

  const admin = await bapi('POST', '/v1/users', {
    email_address: [uniqueEmail('boss')],
    skip_password_requirement: true,
  });
  const name = `Acme & Sons ${crypto.randomBytes(3).toString('hex')}`;
  const org = await bapi('POST', '/v1/organizations', { name, created_by: admin.id });
  const inv = await bapi('POST', `/v1/organizations/${org.id}/invitations`, {
    email_address: email,
    role: 'org:admin',
  });

  const section = page.locator('section[aria-labelledby=organizations]');
  await step(art, page, 'invitation-listed', async () => {
    await page.goto('/user');
    await section.getByRole('heading', { level: 2, name: 'Organizations' }).waitFor();
    await section.getByText('You are not a member of any organization.').waitFor();
    await section.getByRole('heading', { level: 3, name }).waitFor();
    await section.getByText(`Invited to ${email} as Admin.`).waitFor();
  });
  await step(art, page, 'invitation-accepted', async () => {
    await section.getByRole('button', { name: 'Accept', exact: true }).click();
    await page.waitForURL('**/user?notice=invitation_accepted#organizations');
    await page.getByRole('status').filter({ hasText: 'You have joined the organization.' }).waitFor();
    const member = section.locator('li').filter({ has: page.getByRole('heading', { level: 3, name }) });
    await member.getByText('Role: Admin').waitFor();
    assert.equal(await section.getByRole('button', { name: 'Accept', exact: true }).count(), 0);
  });

  const ms = await bapi('GET', `/v1/users/${user}/organization_memberships`);
  assert.equal(ms.data.length, 1);
  assert.equal(ms.data[0].organization.id, org.id);
  assert.equal(ms.data[0].role, 'org:admin');
  const got = await bapi('GET', `/v1/organizations/${org.id}/invitations/${inv.id}`);
  assert.equal(got.status, 'accepted');
  await context.close();
});
