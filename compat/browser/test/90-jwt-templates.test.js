// JWT templates in clerk-js 6 and clerk-js 5 (production instances): a Supabase template (HS256
// with a shared secret, `aud: "authenticated"`) made with @clerk/backend; a user signs in through
// <SignIn/> and `Clerk.session.getToken({ template: 'supabase' })` answers a token that `jose`
// verifies with the secret and the audience, as Supabase does. The instance-key template's token
// verifies with the instance's public key. Unknown templates reject in the browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importSPKI, jwtVerify } from 'jose';
import { flowArtifacts, step } from '../lib/browser.js';
import { backendClient, fileBrowser, signedInPage } from '../lib/scenario.js';
import { config, SKIP_WITHOUT_USHER, uniqueEmail, PASSWORD } from '../lib/flows.js';

const art = flowArtifacts('90-jwt-templates');
const SECRET = 'browser-suite-supabase-jwt-secret-0123456789';

const browser = fileBrowser();

/** The instance's templates, made once per instance (names are unique per instance). */
async function templates(clerk) {
  const { data } = await clerk.jwtTemplates.list({ limit: 100 });
  const names = new Set(data.map((t) => t.name));
  if (!names.has('supabase')) {
    await clerk.jwtTemplates.create({
      name: 'supabase',
      lifetime: 3600,
      claims: {
        aud: 'authenticated',
        role: 'authenticated',
        email: '{{user.primary_email_address}}',
        user_metadata: { plan: "{{user.public_metadata.plan || 'free'}}" },
      },
      customSigningKey: true,
      signingAlgorithm: 'HS256',
      signingKey: SECRET,
    });
  }
  if (!names.has('backend')) {
    await clerk.jwtTemplates.create({ name: 'backend', claims: { aud: 'api', name: '{{user.full_name}}' } });
  }
}

for (const which of ['production', 'clerk5']) {
  const label = which === 'clerk5' ? 'clerk-js 5' : 'clerk-js 6';
  test(`${label}: getToken({ template }) answers a Supabase token jose verifies with the shared secret`, { skip: SKIP_WITHOUT_USHER, timeout: 120_000 }, async () => {
    const inst = config()[which];
    const clerk = backendClient(inst);
    await templates(clerk);
    const email = uniqueEmail(`tmpl-${which}`);
    const user = await clerk.users.createUser({
      emailAddress: [email], password: PASSWORD, firstName: 'Grace', lastName: 'Hopper',
      publicMetadata: { plan: 'pro' },
    });
    const tag = `${inst.clerkJs}-tmpl`;
    const { context, page, ctx, ids } = await signedInPage(browser, art, inst, email, tag);
    try {
      assert.equal(ids.userId, user.id);

      const jwt = await step(`${tag}-supabase-token`, ctx, () =>
        page.evaluate(() => window.Clerk.session.getToken({ template: 'supabase' })));
      assert.equal(typeof jwt, 'string', 'getToken({ template }) answered a token');
      const { payload, protectedHeader } = await jwtVerify(jwt, new TextEncoder().encode(SECRET), {
        audience: 'authenticated',
        algorithms: ['HS256'],
      });
      assert.equal(protectedHeader.alg, 'HS256');
      assert.equal(payload.sub, user.id);
      assert.equal(payload.role, 'authenticated');
      assert.equal(payload.email, email);
      assert.deepEqual(payload.user_metadata, { plan: 'pro' });
      assert.equal(payload.azp, inst.appUrl, 'azp is the page origin');
      assert.equal(payload.exp - payload.iat, 3600);
      await assert.rejects(
        jwtVerify(jwt, new TextEncoder().encode('not-the-secret-not-the-secret-not-the-secret')),
        'another secret does not verify it',
      );

      const backend = await step(`${tag}-instance-key-token`, ctx, () =>
        page.evaluate(() => window.Clerk.session.getToken({ template: 'backend' })));
      const verified = await jwtVerify(backend, await importSPKI(inst.jwtKey, 'RS256'), { audience: 'api' });
      assert.equal(verified.payload.name, 'Grace Hopper');
      assert.equal(verified.protectedHeader.cat, 'cl_B7d4PD222AAA');

      const missing = await page.evaluate(async () => {
        try {
          await window.Clerk.session.getToken({ template: 'no-such-template', skipCache: true });
          return null;
        } catch (e) {
          return { status: e.status ?? null, code: e.errors?.[0]?.code ?? null };
        }
      });
      assert.deepEqual(missing, { status: 404, code: 'resource_not_found' });
    } finally {
      await context.close();
    }
  });
}
