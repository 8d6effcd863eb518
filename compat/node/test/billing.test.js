// Plans and features through @clerk/backend: billing.getPlanList, getUserBillingSubscription,
// getOrganizationBillingSubscription and cancelSubscriptionItem end to end, and
// authenticateRequest → toAuth().has({ plan }) / has({ feature }) on a real session token. Plans
// are made and assigned with Usher's Backend API extensions (plain fetch with the secret key):
// Clerk makes them in its Dashboard and assigns them at checkout.
import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';

import { clerk, createUser, env, expectApiError, tag, usherApi } from '../lib/usher.js';

const client = clerk();

async function send(method, path, body) {
  const { status, json } = await usherApi(method, path, body);
  assert.equal(status, 200, JSON.stringify(json));
  return json;
}

async function authFor(sessionId) {
  const withPk = clerk({ publishableKey: env.publishableKey });
  const { jwt } = await client.sessions.getToken(sessionId);
  const request = new Request('http://localhost:3000/api/me', {
    headers: { Authorization: `Bearer ${jwt}` },
  });
  const state = await withPk.authenticateRequest(request, { jwtKey: env.jwtKey });
  assert.equal(state.isSignedIn, true, `reason: ${state.reason} ${state.message}`);
  return state.toAuth();
}

describe('billing', () => {
  // Slugs unique per run: plans are the instance's, shared by every suite.
  const t = tag('b');
  const pro = `pro_${t}`;
  const team = `team_${t}`;
  const exportFeature = `export_${t}`;
  const ssoFeature = `sso_${t}`;
  let proPlan;
  let teamPlan;

  before(async () => {
    proPlan = await send('POST', '/v1/billing/plans', {
      name: 'Pro',
      slug: pro,
      for_payer_type: 'user',
      description: 'For professionals',
      features: [{ name: 'Export', slug: exportFeature }],
    });
    teamPlan = await send('POST', '/v1/billing/plans', {
      name: 'Team',
      slug: team,
      for_payer_type: 'org',
      features: [{ name: 'SSO', slug: ssoFeature }],
    });
  });

  it('lists plans as BillingPlan resources, filtered by payer type', async () => {
    const users = await client.billing.getPlanList({ payerType: 'user', limit: 500 });
    assert.ok(users.totalCount >= 1);
    const found = users.data.find((p) => p.id === proPlan.id);
    assert.ok(found, 'the new plan is listed');
    assert.equal(found.slug, pro);
    assert.equal(found.name, 'Pro');
    assert.equal(found.description, 'For professionals');
    assert.equal(found.forPayerType, 'user');
    assert.equal(found.isDefault, false);
    assert.equal(found.fee.amount, 0);
    assert.equal(found.features.length, 1);
    assert.equal(found.features[0].slug, exportFeature);
    assert.match(found.features[0].id, /^feat_/);
    assert.ok(users.data.every((p) => p.forPayerType === 'user'));
    const orgs = await client.billing.getPlanList({ payerType: 'org', limit: 500 });
    assert.ok(orgs.data.some((p) => p.id === teamPlan.id));
  });

  it('reads a user\'s subscription, and has({ plan | feature }) follows it', async () => {
    const user = await createUser(client);
    const session = await client.sessions.createSession({ userId: user.id });
    let auth = await authFor(session.id);
    assert.equal(auth.has({ plan: pro }), false);
    assert.equal(auth.has({ feature: exportFeature }), false);

    const item = await send('POST', `/v1/users/${user.id}/billing/subscription_items`, { plan_id: pro });
    const sub = await client.billing.getUserBillingSubscription(user.id);
    assert.equal(sub.status, 'active');
    assert.match(sub.id, /^csub_/);
    assert.match(sub.payerId, /^cpayer_/);
    assert.equal(sub.subscriptionItems.length, 1);
    const [held] = sub.subscriptionItems;
    assert.equal(held.id, item.id);
    assert.equal(held.status, 'active');
    assert.equal(held.planId, proPlan.id);
    assert.equal(held.plan.slug, pro);
    assert.equal(held.isFreeTrial, false);

    auth = await authFor(session.id);
    assert.equal(auth.has({ plan: pro }), true);
    assert.equal(auth.has({ plan: `u:${pro}` }), true);
    assert.equal(auth.has({ plan: `o:${pro}` }), false);
    assert.equal(auth.has({ feature: exportFeature }), true);
    assert.equal(auth.has({ feature: ssoFeature }), false);
    assert.equal(auth.has({ plan: team }), false);

    const canceled = await client.billing.cancelSubscriptionItem(item.id, { endNow: true });
    assert.equal(canceled.status, 'ended');
    assert.equal(typeof canceled.endedAt, 'number');
    auth = await authFor(session.id);
    assert.equal(auth.has({ plan: pro }), false);
    assert.equal(auth.has({ feature: exportFeature }), false);
    await expectApiError(client.billing.cancelSubscriptionItem(item.id), { status: 403 });
  });

  it('reads an organization\'s subscription, in tokens where the organization is active', async () => {
    const owner = await createUser(client);
    const org = await client.organizations.createOrganization({ name: `Billing ${tag()}`, createdBy: owner.id });
    await send('POST', `/v1/organizations/${org.id}/billing/subscription_items`, { plan_id: teamPlan.id });
    const sub = await client.billing.getOrganizationBillingSubscription(org.id);
    assert.equal(sub.subscriptionItems[0].plan.slug, team);
    assert.equal(sub.subscriptionItems[0].plan.forPayerType, 'org');

    const inOrg = await client.sessions.createSession({ userId: owner.id, activeOrganizationId: org.id });
    let auth = await authFor(inOrg.id);
    assert.equal(auth.orgId, org.id);
    assert.equal(auth.has({ plan: `o:${team}` }), true);
    assert.equal(auth.has({ feature: ssoFeature }), true);
    assert.equal(auth.has({ feature: `u:${ssoFeature}` }), false);
    // The admin role's permissions still read through `fea` and `o.fpm`.
    assert.equal(auth.has({ role: 'org:admin' }), true);

    const personal = await client.sessions.createSession({ userId: owner.id });
    auth = await authFor(personal.id);
    assert.equal(auth.has({ plan: team }), false);
    assert.equal(auth.has({ feature: ssoFeature }), false);
  });

  it('answers Clerk\'s errors for unknown payers and items', async () => {
    await expectApiError(client.billing.getUserBillingSubscription('user_2unknownunknownunknownunk'), {
      status: 404,
      code: 'resource_not_found',
    });
    await expectApiError(client.billing.cancelSubscriptionItem('csubi_2unknownunknownunknownun'), {
      status: 404,
      code: 'resource_not_found',
    });
  });
});
