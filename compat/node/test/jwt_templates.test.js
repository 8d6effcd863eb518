// JWT templates through @clerk/backend's jwtTemplates API, and tokens from a template through
// sessions.getToken(sessionId, template), verified as their receivers verify them: with `jose`
// against the instance's public key, and HS256 with the shared secret, as Supabase's PostgREST
// does (the secret, `aud: "authenticated"`, the `role` claim).
import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';

import { importSPKI, jwtVerify } from 'jose';
import { verifyToken } from '@clerk/backend';

import {
  assertResource,
  clerk,
  createUserWithSession,
  decodeJwt,
  env,
  expectApiError,
  hostFromPublishableKey,
  rejection,
  tag,
} from '../lib/usher.js';

const client = clerk();
const SUPABASE_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';

let user;
let session;

before(async () => {
  ({ user, session } = await createUserWithSession(client, {
    firstName: 'Ada',
    publicMetadata: { role: 'admin', plan: { tier: 'pro' } },
  }));
});

describe('jwtTemplates', () => {
  it('creates, gets, lists, updates and deletes a template', async () => {
    const name = tag('tmpl');
    const created = await client.jwtTemplates.create({
      name,
      claims: { aud: 'hasura', uid: '{{user.id}}' },
      lifetime: 120,
      allowedClockSkew: 10,
    });
    assert.match(created.id, /^jtmp_/);
    assert.equal(created.name, name);
    assert.deepEqual(created.claims, { aud: 'hasura', uid: '{{user.id}}' });
    assert.equal(created.lifetime, 120);
    assert.equal(created.allowedClockSkew, 10);
    assert.equal(created.customSigningKey, false);
    assert.equal(created.signingAlgorithm, 'RS256');
    assert.ok(Number.isInteger(created.createdAt) && created.createdAt === created.updatedAt);

    const got = await client.jwtTemplates.get(created.id);
    assert.deepEqual(got, created);

    const list = await client.jwtTemplates.list({ limit: 500 });
    assert.ok(Number.isInteger(list.totalCount) && list.totalCount >= 1);
    assert.ok(list.data.some((t) => t.id === created.id && t.name === name));

    const updated = await client.jwtTemplates.update({
      templateId: created.id,
      name: `${name}-2`,
      claims: { aud: 'hasura', role: "{{user.public_metadata.role || 'user'}}" },
    });
    assert.equal(updated.name, `${name}-2`);
    assert.equal(updated.lifetime, 120, 'an update keeps what it does not send');
    assert.deepEqual(updated.claims.role, "{{user.public_metadata.role || 'user'}}");

    const deleted = await client.jwtTemplates.delete(created.id);
    assertResource(deleted, 'jwt_template');
    assert.equal(deleted.id, created.id);
    assert.equal(deleted.deleted, true);
    await expectApiError(client.jwtTemplates.get(created.id), { status: 404, code: 'resource_not_found' });
  });

  it('refuses bad templates with Clerk\'s codes', async () => {
    const name = tag('dup');
    await client.jwtTemplates.create({ name, claims: {} });
    await expectApiError(client.jwtTemplates.create({ name, claims: {} }), {
      status: 422,
      code: 'form_identifier_exists',
      paramName: 'name',
    });
    const bad = [
      [{ claims: { sub: 'me' } }, 'form_param_value_invalid', 'claims'],
      [{ claims: { a: '{{users.id}}' } }, 'form_param_format_invalid', 'claims'],
      [{ claims: [1] }, 'form_param_format_invalid', 'claims'],
      [{ claims: {}, lifetime: 10 }, 'form_param_value_invalid', 'lifetime'],
      [{ claims: {}, allowedClockSkew: 1000 }, 'form_param_value_invalid', 'allowed_clock_skew'],
      [{ claims: {}, customSigningKey: true, signingAlgorithm: 'HS256' }, 'form_param_missing', 'signing_key'],
      [{ claims: {}, customSigningKey: true, signingAlgorithm: 'none', signingKey: 'k' }, 'form_param_value_invalid', 'signing_algorithm'],
      [{ claims: {}, customSigningKey: true, signingAlgorithm: 'RS256', signingKey: 'not a key' }, 'form_param_format_invalid', 'signing_key'],
    ];
    for (const [params, code, paramName] of bad) {
      await expectApiError(client.jwtTemplates.create({ name: tag('bad'), ...params }), {
        status: 422,
        code,
        paramName,
      });
    }
  });
});

describe('sessions.getToken with a template', () => {
  it('renders the template and signs with the instance key (verified by jose)', async () => {
    const name = tag('app');
    await client.jwtTemplates.create({
      name,
      lifetime: 300,
      claims: {
        aud: 'my-api',
        name: '{{user.first_name}} {{user.last_name || \'\'}}',
        role: "{{user.public_metadata.role || 'user'}}",
        tier: '{{user.public_metadata.plan.tier}}',
        surname: '{{user.last_name}}',
        org: '{{org.id}}',
      },
    });
    const token = await client.sessions.getToken(session.id, name);
    assertResource(token, 'token');
    const { header } = decodeJwt(token.jwt);
    assert.equal(header.cat, 'cl_B7d4PD222AAA');
    const key = await importSPKI(env.jwtKey, 'RS256');
    const { payload } = await jwtVerify(token.jwt, key, {
      audience: 'my-api',
      issuer: `https://${hostFromPublishableKey(env.publishableKey)}`,
      algorithms: ['RS256'],
    });
    assert.equal(payload.sub, user.id);
    assert.equal(payload.name, 'Ada');
    assert.equal(payload.role, 'admin');
    assert.equal(payload.tier, 'pro');
    assert.equal(payload.surname, null, 'a missing value is a null claim, as Clerk documents');
    assert.equal(payload.org, null);
    assert.equal(payload.sid, undefined, 'template tokens carry no sid');
    assert.equal(payload.exp - payload.iat, 300);
    assert.equal(payload.iat - payload.nbf, 5);

    // @clerk/backend's networkless verifyToken checks it as it checks Clerk's template tokens.
    const verified = await verifyToken(token.jwt, { jwtKey: env.jwtKey });
    assert.equal(verified.sub, user.id);
    assert.equal(verified.role, 'admin');
    // A tampered payload does not verify.
    const [h, p, s] = token.jwt.split('.');
    const forged = Buffer.from(JSON.stringify({ ...payload, role: 'owner' })).toString('base64url');
    assert.ok(p !== forged);
    assert.ok(await rejection(verifyToken(`${h}.${forged}.${s}`, { jwtKey: env.jwtKey })));

    const short = await client.sessions.getToken(session.id, name, 60);
    const claims = decodeJwt(short.jwt).payload;
    assert.equal(claims.exp - claims.iat, 60);
  });

  it('answers 404 for a template that does not exist', async () => {
    await expectApiError(client.sessions.getToken(session.id, tag('missing')), {
      status: 404,
      code: 'resource_not_found',
    });
  });

  it('signs a Supabase template with its HS256 secret, verified as PostgREST does', async () => {
    const name = tag('supabase');
    const template = await client.jwtTemplates.create({
      name,
      lifetime: 3600,
      claims: {
        aud: 'authenticated',
        role: 'authenticated',
        email: '{{user.primary_email_address}}',
        app_metadata: { role: "{{user.public_metadata.role || 'user'}}" },
        user_metadata: {},
      },
      customSigningKey: true,
      signingAlgorithm: 'HS256',
      signingKey: SUPABASE_SECRET,
    });
    assert.equal(template.customSigningKey, true);
    assert.equal(template.signingAlgorithm, 'HS256');
    assert.equal(JSON.stringify(template).includes(SUPABASE_SECRET), false, 'the secret is never returned');
    const read = await client.jwtTemplates.get(template.id);
    assert.equal(JSON.stringify(read).includes(SUPABASE_SECRET), false);

    const { jwt } = await client.sessions.getToken(session.id, name);
    const secret = new TextEncoder().encode(SUPABASE_SECRET);
    const { payload, protectedHeader } = await jwtVerify(jwt, secret, {
      audience: 'authenticated',
      algorithms: ['HS256'],
    });
    assert.equal(protectedHeader.alg, 'HS256');
    assert.equal(payload.role, 'authenticated');
    assert.equal(payload.sub, user.id);
    assert.equal(payload.email, user.emailAddresses[0].emailAddress);
    assert.deepEqual(payload.app_metadata, { role: 'admin' });
    await assert.rejects(
      jwtVerify(jwt, new TextEncoder().encode('another-secret-of-at-least-32-characters'), { audience: 'authenticated' }),
      'a token does not verify with another secret',
    );
    await assert.rejects(
      jwtVerify(jwt, secret, { audience: 'anon' }),
      'nor for another audience',
    );
  });
});
