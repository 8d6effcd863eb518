// Instance settings through @clerk/backend's instance API: get(), update() (Clerk answers 204),
// updateRestrictions() and get/updateOrganizationSettings(), with the change visible on the
// Frontend API's environment at once and bad values refused with Clerk's 422.
// Runs its own Usher, since the settings are the instance's.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startUsher } from '../../lib/usher.mjs';
import { clerkFor, expectApiError } from '../lib/usher.js';

let usher;
let client;

before(async () => {
  usher = await startUsher({ name: 'node-instance', environment: 'development' });
  client = clerkFor(usher);
});

after(async () => {
  await usher?.stop();
});

async function environment() {
  const res = await fetch(`${usher.frontendUrl}/v1/environment`);
  assert.equal(res.status, 200);
  return res.json();
}

describe('instance', () => {
  it('get() returns the instance', async () => {
    const instance = await client.instance.get();
    assert.match(instance.id, /^ins_/);
    assert.equal(instance.environmentType, 'development');
    assert.ok(Array.isArray(instance.allowedOrigins));
  });

  it('update() turns the breached-password check off and back on', async () => {
    await client.instance.update({ hibp: false, testMode: true });
    let env = await environment();
    assert.equal(env.user_settings.password_settings.disable_hibp, true);
    await client.instance.update({ hibp: true });
    env = await environment();
    assert.equal(env.user_settings.password_settings.disable_hibp, false);
    await expectApiError(client.instance.update({ allowedOrigins: ['https://*.elsewhere.example.com'] }), {
      status: 422,
      code: 'form_param_value_invalid',
      paramName: 'allowed_origins',
    });
  });

  it('update() stores the allowed origins, which the Frontend API honours at once', async () => {
    const preflight = (origin) =>
      fetch(`${usher.frontendUrl}/v1/client`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' },
      });
    assert.equal((await preflight('https://app.example.com')).status, 403);
    await client.instance.update({ allowedOrigins: ['https://App.Example.com/'] });
    assert.deepEqual((await client.instance.get()).allowedOrigins, ['https://app.example.com']);
    const ok = await preflight('https://app.example.com');
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.equal((await preflight('https://other.example.com')).status, 403);
    await client.instance.update({ allowedOrigins: [] });
    assert.deepEqual((await client.instance.get()).allowedOrigins, []);
  });

  it('updateRestrictions() answers the stored restrictions', async () => {
    const r = await client.instance.updateRestrictions({ allowlist: false, blocklist: false });
    assert.equal(r.allowlist, false);
    assert.equal(r.blocklist, false);
    assert.equal(r.blockEmailSubaddresses, false);
    assert.equal(r.blockDisposableEmailDomains, false);
    const on = await client.instance.updateRestrictions({ blockDisposableEmailDomains: true });
    assert.equal(on.blockDisposableEmailDomains, true);
    const off = await client.instance.updateRestrictions({ blockDisposableEmailDomains: false });
    assert.equal(off.blockDisposableEmailDomains, false);
  });

  it('updateOrganizationSettings() turns organizations on for the Frontend API', async () => {
    const before = await client.instance.getOrganizationSettings();
    assert.equal(before.enabled, false);
    assert.equal(before.maxAllowedMemberships, 5);
    assert.equal((await environment()).organization_settings.enabled, false);

    const s = await client.instance.updateOrganizationSettings({
      enabled: true,
      maxAllowedMemberships: 12,
      adminDeleteEnabled: false,
      domainsEnabled: true,
    });
    assert.equal(s.enabled, true);
    assert.equal(s.maxAllowedMemberships, 12);
    assert.equal(s.adminDeleteEnabled, false);
    assert.equal(s.domainsEnabled, true);
    assert.equal(s.creatorRole, 'org:admin');
    assert.deepEqual(s.domainsEnrollmentModes, ['manual_invitation', 'automatic_invitation', 'automatic_suggestion']);

    const env = await environment();
    assert.equal(env.organization_settings.enabled, true);
    assert.equal(env.organization_settings.max_allowed_memberships, 12);
    assert.equal(env.organization_settings.actions.admin_delete, false);
    assert.equal(env.organization_settings.domains.enabled, true);

    await expectApiError(client.instance.updateOrganizationSettings({ maxAllowedMemberships: -1 }), {
      status: 422,
      code: 'form_param_value_invalid',
    });
    await expectApiError(client.instance.updateOrganizationSettings({ slugDisabled: true }), {
      status: 422,
      code: 'form_param_value_invalid',
      paramName: 'slug_disabled',
    });
    // Nothing changed by the refused requests.
    assert.equal((await client.instance.getOrganizationSettings()).maxAllowedMemberships, 12);
  });
});
