// Domains through @clerk/backend: clerkClient.domains.* (list with the primary domain, add a
// satellite, update its proxy URL, delete it; Clerk's errors for a duplicate, a URL given as a
// name and the primary domain's deletion), as the SDK's Domain and DeletedObject resources.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { clerk, expectApiError, tag } from '../lib/usher.js';

const client = clerk();

describe('domains', () => {
  it('lists the primary domain, adds, updates and deletes a satellite', async () => {
    const before = await client.domains.list();
    const primary = before.data.filter((d) => !d.isSatellite);
    assert.equal(primary.length, 1);
    assert.match(primary[0].id, /^dmn_/);
    assert.equal(typeof primary[0].frontendApiUrl, 'string');
    assert.equal(before.totalCount, before.data.length);

    const name = `${tag('sat')}.example.com`;
    const made = await client.domains.add({ name, is_satellite: true });
    assert.match(made.id, /^dmn_/);
    assert.equal(made.name, name);
    assert.equal(made.isSatellite, true);
    assert.equal(made.accountsPortalUrl, null);
    assert.equal(made.cnameTargets, null);

    await expectApiError(client.domains.add({ name, is_satellite: true }), {
      status: 422,
      code: 'form_identifier_exists',
      paramName: 'name',
    });
    await expectApiError(client.domains.add({ name: `https://${name}`, is_satellite: true }), {
      status: 422,
      code: 'form_param_format_invalid',
      paramName: 'name',
    });

    const proxyUrl = `https://${name}/__clerk`;
    const updated = await client.domains.update({ domainId: made.id, proxy_url: proxyUrl });
    assert.equal(updated.proxyUrl, proxyUrl);
    assert.ok((await client.domains.list()).data.some((d) => d.id === made.id));

    await expectApiError(client.domains.delete(primary[0].id), { status: 403 });
    const deleted = await client.domains.delete(made.id);
    assert.equal(deleted.id, made.id);
    assert.equal(deleted.deleted, true);
    assert.ok(!(await client.domains.list()).data.some((d) => d.id === made.id));
    await expectApiError(client.domains.delete(made.id), { status: 404, code: 'resource_not_found' });
  });
});
