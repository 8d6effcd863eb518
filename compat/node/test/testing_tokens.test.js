// Testing tokens from @clerk/backend's testingTokens (what @clerk/testing fetches): Clerk's shape,
// and the Frontend API takes requests carrying one in `__clerk_testing_token`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { clerk } from '../lib/usher.js';

const client = clerk();

describe('testingTokens', () => {
  it('makes a testing token the Frontend API takes', async () => {
    const t = await client.testingTokens.createTestingToken();
    assert.match(t.token, /^\d+-[0-9a-f]+$/);
    const issued = Number(t.token.split('-')[0]);
    const expiresAt = t.expiresAt ?? t.expires_at;
    assert.equal(expiresAt, issued + 3600);
    assert.ok(Math.abs(issued - Date.now() / 1000) < 600, `issued ${issued}`);

    const base = process.env.USHER_FRONTEND_API_URL.replace(/\/$/, '');
    const res = await fetch(`${base}/v1/environment?__clerk_testing_token=${encodeURIComponent(t.token)}`);
    assert.equal(res.status, 200);
    assert.ok((await res.json()).auth_config, 'the environment');
  });
});
