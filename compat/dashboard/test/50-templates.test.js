// An admin edits the verification-code email on the templates page, previews it and saves it; a
// sign-up's verification email then carries the new subject. Then a satellite domain is added
// and deleted (after its confirmation page) on the domains page.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { addOperator, bapi, eventually, launchBrowser, openFlow, uniqueEmail, usher } from '../lib/harness.js';

const browser = await launchBrowser();
after(() => browser.close());

/** Starts a sign-up for `email` from a fresh development browser and has the code emailed. */
async function signUp(email) {
  const base = usher.frontend.replace(/\/$/, '');
  const dev = await fetch(`${base}/v1/dev_browser`, { method: 'POST' });
  assert.ok(dev.ok, `dev_browser: ${dev.status}`);
  const token = (await dev.json()).token;
  const post = async (p, fields) => {
    const url = new URL(`${base}${p}`);
    url.searchParams.set('__clerk_db_jwt', token);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    return body;
  };
  const made = await post('/v1/client/sign_ups', { email_address: email });
  await post(`/v1/client/sign_ups/${made.response.id}/prepare_verification`, { strategy: 'email_code' });
}

test('a template edited on the dashboard is previewed and used; a satellite domain is added and deleted', async () => {
  const op = await addOperator('admin');
  const f = await openFlow(browser, '50-templates');
  const { page, step, visit } = f;
  const marker = `Welcome ${Date.now()}`;
  const path = '/dashboard/templates/email/verification_code';
  try {
    await f.signIn(op);
    await step('templates', async () => {
      await page.goto('/dashboard/templates');
      await visit('templates');
      await page.getByRole('link', { name: 'Verification code' }).first().click();
      await page.waitForURL(`**${path}`);
      await visit('template');
    });
    await step('unknown variable', async () => {
      await page.getByLabel('Body (HTML)').fill('<p>{{otp_code}} {{user.password}}</p>');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('unknown variable').first().waitFor();
      await visit('refused');
    });
    await step('preview and save', async () => {
      await page.getByLabel('Subject').fill(`${marker}: {{otp_code}}`);
      await page.getByLabel('Body (HTML)').fill('<p>Your {{app.name}} code is <b>{{otp_code}}</b>.</p>');
      await page.getByRole('button', { name: 'Preview' }).click();
      await page.locator('#preview-subject').waitFor();
      assert.equal(await page.locator('#preview-subject').innerText(), `${marker}: 123456`);
      assert.match(await page.locator('#preview-body').innerText(), /code is 123456\./);
      await visit('preview');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(/done=saved/);
      await visit('saved');
    });
    const email = uniqueEmail('templated');
    await signUp(email);
    await eventually('the verification email to carry the new subject', async () => {
      const list = await bapi('GET', `/v1/emails?email_address=${encodeURIComponent(email)}`);
      const subject = list.data?.[0]?.subject ?? '';
      return subject.startsWith(`${marker}: `) && subject.endsWith(list.data[0].data.otp_code);
    });
    await step('revert', async () => {
      await page.getByRole('link', { name: /Revert to the built-in text/ }).click();
      await visit('revert-confirm');
      await page.getByRole('button', { name: 'Revert' }).click();
      await page.waitForURL(/done=reverted/);
    });

    const domain = `sat-${Date.now()}.example.com`;
    await step('domains', async () => {
      await page.goto('/dashboard/domains');
      await visit('domains');
      await page.getByLabel('Domain name').fill(`https://${domain}`);
      await page.getByRole('button', { name: 'Add' }).click();
      await page.locator('[aria-invalid=true]').first().waitFor();
      await visit('domain-refused');
      await page.getByLabel('Domain name').fill(domain);
      await page.getByRole('button', { name: 'Add' }).click();
      await page.waitForURL(/done=added/);
      await visit('domain-added');
      await page.getByRole('link', { name: `Delete ${domain}…` }).click();
      await visit('domain-delete');
      await page.getByRole('button', { name: 'Delete' }).click();
      await page.waitForURL(/done=deleted/);
      assert.equal(await page.getByText(domain).count(), 0);
    });
    const left = await bapi('GET', '/v1/domains');
    assert.ok(!left.data.some((d) => d.name === domain), JSON.stringify(left));
  } finally {
    await f.close();
  }
});
