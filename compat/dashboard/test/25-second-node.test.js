// The session inactivity timeout changed on the settings page is applied by a second
// `usher serve` on the same database, started before the change and never restarted: the
// sessions it starts afterwards are abandoned after the new timeout.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { addOperator, bapi, eventually, launchBrowser, openFlow, uniqueEmail, usher } from '../lib/harness.js';
import { bapi as client } from '../../lib/bapi.mjs';
import { startUsher } from '../../lib/usher.mjs';

const browser = await launchBrowser();
after(() => browser.close());

const TEN_MINUTES_MS = 10 * 60 * 1000;

test('a second node enforces the new session inactivity timeout without a restart', async () => {
  const op = await addOperator('admin');
  const user = await bapi('POST', '/v1/users', { email_address: [uniqueEmail('node')], skip_password_requirement: true });
  const nodeB = await startUsher({ name: 'dashboard-node-b', environment: 'development', dataDir: usher.dataDir, args: ['--insecure-cookies'] });
  const b = client({ apiUrl: nodeB.apiUrl, secretKey: usher.secretKey });
  const idleOf = async () => {
    const s = await b.post('/v1/sessions', { user_id: user.id });
    return s.abandon_at - s.last_active_at;
  };
  const before = await idleOf();
  assert.notEqual(before, TEN_MINUTES_MS, 'the timeout starts elsewhere');
  const f = await openFlow(browser, '25-second-node');
  const { page, step, visit } = f;
  const save = async (value) => {
    await page.goto('/dashboard/settings');
    const form = page.locator('form:has(input[name=key][value=session_inactivity_ms])');
    await form.locator('[name=value]').fill(String(value));
    await form.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/done=saved/);
  };
  try {
    await f.signIn(op);
    await step('set-timeout', async () => {
      await save(TEN_MINUTES_MS);
      await visit('saved');
    });
    await eventually('node B to start sessions with the new timeout', async () => (await idleOf()) === TEN_MINUTES_MS, 30_000);
    // Node B was never restarted: it is the same process.
    assert.equal(nodeB.process.exitCode, null);
    await step('restore', async () => save(before));
  } finally {
    await f.close();
    await nodeB.stop();
  }
});
