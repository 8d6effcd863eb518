// The data lifecycle through @clerk/backend: a subject access request (Usher's
// GET /v1/users/{id}/export, plain fetch with the secret key) holds what the SDK wrote (metadata,
// identifiers, sessions, memberships) and no secrets; deleteUser leaves nothing to export; the
// retention settings are instance settings with their documented defaults.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { clerk, createUser, tag, uniqueEmail, usherApi as send } from '../lib/usher.js';

const client = clerk();

describe('data lifecycle', () => {
  it('exports what the SDK wrote, then nothing once the user is deleted', async () => {
    const email = uniqueEmail('sar');
    const user = await createUser(client, {
      emailAddress: [email],
      firstName: 'Subject',
      privateMetadata: { ref: `crm-${tag()}` },
    });
    const org = await client.organizations.createOrganization({ name: `SAR ${tag()}`, createdBy: user.id });
    const session = await client.sessions.createSession({ userId: user.id });

    const { status, json: doc } = await send('GET', `/v1/users/${user.id}/export`);
    assert.equal(status, 200, JSON.stringify(doc));
    assert.equal(doc.object, 'user_export');
    assert.equal(doc.user.id, user.id);
    assert.equal(doc.user.email_addresses[0].email_address, email);
    assert.deepEqual(doc.user.private_metadata, user.privateMetadata);
    assert.equal(doc.organization_memberships[0].organization_id, org.id);
    assert.deepEqual(doc.sessions.map((s) => s.id), [session.id]);
    assert.deepEqual(doc.mfa, { totp_enabled: false, backup_codes_remaining: 0 });
    assert.ok(doc.events.some((e) => e.type === 'user.created'));
    assert.ok(!JSON.stringify(doc).includes('$argon2'), 'no password digest');

    const deleted = await client.users.deleteUser(user.id);
    assert.equal(deleted.id, user.id);
    const gone = await send('GET', `/v1/users/${user.id}/export`);
    assert.equal(gone.status, 404);
    assert.equal(gone.json.errors[0].code, 'resource_not_found');
  });

  it('keeps the retention settings with their defaults and bounds', async () => {
    const { json } = await send('GET', '/v1/instance/settings');
    const value = (k) => json.settings[k].value;
    assert.equal(value('retention_events_days'), 30);
    assert.equal(value('retention_webhook_deliveries_days'), 30);
    assert.equal(value('retention_emails_days'), 7);
    assert.equal(value('retention_sms_days'), 7);
    assert.equal(value('retention_audit_days'), 365);
    const bad = await send('PATCH', '/v1/instance/settings', { retention_audit_days: -1 });
    assert.equal(bad.status, 422);
    assert.equal(bad.json.errors[0].code, 'form_param_value_invalid');
    assert.equal(bad.json.errors[0].meta.param_name, 'retention_audit_days');
  });
});
