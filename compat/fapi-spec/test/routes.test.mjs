// Every Frontend API route Usher serves, driven as clerk-js drives it against a running Usher
// (production with the `__client` cookie, development with a dev browser), and every response
// validated against Clerk's OpenAPI spec of the Frontend API. The handshake is left out: it
// answers with a redirect, not JSON.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { compileSpec, normalize, report } from '../lib/spec.mjs';
import { Browser, emailedCode, startUsher } from '../lib/usher.mjs';
import { totp } from '../../lib/totp.mjs';
import { bapi } from '../../lib/bapi.mjs';
import { emailsTo } from '../../lib/mail.mjs';

const spec = compileSpec();

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

/** Every operation the Frontend API router serves (crates/server/src/fapi/mod.rs). */
const SERVED = [
  'GET /.well-known/jwks.json',
  'GET /v1/environment',
  'PATCH /v1/environment',
  'GET /v1/client',
  'DELETE /v1/client',
  'POST /v1/dev_browser',
  'POST /v1/client/sign_ins',
  'GET /v1/client/sign_ins/{sign_in_id}',
  'POST /v1/client/sign_ins/{sign_in_id}/prepare_first_factor',
  'POST /v1/client/sign_ins/{sign_in_id}/attempt_first_factor',
  'POST /v1/client/sign_ins/{sign_in_id}/prepare_second_factor',
  'POST /v1/client/sign_ins/{sign_in_id}/attempt_second_factor',
  'POST /v1/client/sign_ins/{sign_in_id}/reset_password',
  'POST /v1/client/sign_ups',
  'GET /v1/client/sign_ups/{sign_up_id}',
  'PATCH /v1/client/sign_ups/{sign_up_id}',
  'POST /v1/client/sign_ups/{sign_up_id}/prepare_verification',
  'POST /v1/client/sign_ups/{sign_up_id}/attempt_verification',
  'DELETE /v1/client/sessions',
  'GET /v1/client/sessions/{session_id}',
  'POST /v1/client/sessions/{session_id}/touch',
  'POST /v1/client/sessions/{session_id}/end',
  'POST /v1/client/sessions/{session_id}/remove',
  'POST /v1/client/sessions/{session_id}/tokens',
  'POST /v1/client/sessions/{session_id}/tokens/{template_name}',
  'GET /v1/me',
  'PATCH /v1/me',
  'POST /v1/me/change_password',
  'POST /v1/me/totp',
  'DELETE /v1/me/totp',
  'POST /v1/me/totp/attempt_verification',
  'POST /v1/me/backup_codes',
  'GET /v1/me/sessions/active',
  'POST /v1/me/sessions/{session_id}/revoke',
  'POST /v1/me/profile_image',
  'DELETE /v1/me/profile_image',
  'GET /v1/me/organization_memberships',
  'DELETE /v1/me/organization_memberships/{organization_id}',
  'GET /v1/me/organization_creation_defaults',
  'GET /v1/me/organization_invitations',
  'GET /v1/me/organization_suggestions',
  'POST /v1/me/organization_invitations/{invitation_id}/accept',
  'POST /v1/organizations',
  'GET /v1/organizations/{organization_id}',
  'PATCH /v1/organizations/{organization_id}',
  'DELETE /v1/organizations/{organization_id}',
  'GET /v1/organizations/{organization_id}/memberships',
  'POST /v1/organizations/{organization_id}/memberships',
  'PATCH /v1/organizations/{organization_id}/memberships/{user_id}',
  'DELETE /v1/organizations/{organization_id}/memberships/{user_id}',
  'GET /v1/organizations/{organization_id}/roles',
  'PUT /v1/organizations/{organization_id}/logo',
  'DELETE /v1/organizations/{organization_id}/logo',
  'GET /v1/organizations/{organization_id}/domains',
  'POST /v1/organizations/{organization_id}/domains',
  'GET /v1/organizations/{organization_id}/domains/{domain_id}',
  'DELETE /v1/organizations/{organization_id}/domains/{domain_id}',
  'POST /v1/organizations/{organization_id}/domains/{domain_id}/update_enrollment_mode',
  'POST /v1/organizations/{organization_id}/domains/{domain_id}/prepare_affiliation_verification',
  'POST /v1/organizations/{organization_id}/domains/{domain_id}/attempt_affiliation_verification',
  'GET /v1/me/organization_suggestions',
  'POST /v1/me/organization_suggestions/{suggestion_id}/accept',
  'GET /v1/organizations/{organization_id}/membership_requests',
  'POST /v1/organizations/{organization_id}/membership_requests/{request_id}/accept',
  'POST /v1/organizations/{organization_id}/membership_requests/{request_id}/reject',
  'GET /v1/organizations/{organization_id}/invitations',
  'POST /v1/organizations/{organization_id}/invitations',
  'POST /v1/organizations/{organization_id}/invitations/bulk',
  'POST /v1/organizations/{organization_id}/invitations/{invitation_id}/revoke',
  'GET /api_keys',
  'POST /api_keys',
  'POST /api_keys/{apiKeyID}/revoke',
];

const servers = [];
after(async () => {
  for (const s of servers) await s.stop();
});

function expectStatus(ex, status, what) {
  assert.equal(ex.status, status, `${what}: ${ex.method} ${ex.url} → ${ex.status} ${JSON.stringify(ex.body).slice(0, 800)}`);
  return ex.body;
}

/** Validates every exchange; one assertion listing every violation with its JSON path. */
function validateAll(exchanges) {
  const failures = [];
  for (const ex of exchanges) {
    const { method, path } = normalize(ex);
    for (const v of spec.validate({ method, path, status: ex.status, body: ex.body })) {
      failures.push({ method, path, status: ex.status, ...v });
    }
  }
  assert.equal(failures.length, 0, `${failures.length} violations of the Frontend API spec:\n${report(failures)}`);
}

function covered(exchanges) {
  const seen = new Set();
  for (const ex of exchanges) {
    const { method, path } = normalize(ex);
    const op = spec.operation(method, path);
    // Any answer counts: the flows above assert each status (JWT templates, which Usher does
    // not offer, answer 404).
    if (op) seen.add(`${op.method} ${op.template}`);
  }
  return seen;
}

async function newBrowser(usher, exchanges) {
  const b = new Browser(usher, exchanges);
  if (usher.environment === 'development') {
    b.devToken = expectStatus(await b.post('/v1/dev_browser'), 200, 'dev browser').token;
  }
  return b;
}

/** Second factor or Client Trust, whichever the sign-in asks for, with a backup code or an emailed code. */
async function finishSignIn(b, signIn, { backupCode, code }) {
  const base = `/v1/client/sign_ins/${signIn.id}`;
  if (signIn.status === 'needs_second_factor') {
    const strategies = signIn.supported_second_factors.map((f) => f.strategy);
    assert.ok(strategies.includes('backup_code'), JSON.stringify(signIn));
    expectStatus(await b.post(`${base}/prepare_second_factor`, { strategy: 'totp' }), 200, 'prepare second factor');
    signIn = expectStatus(await b.post(`${base}/attempt_second_factor`, { strategy: 'backup_code', code: backupCode }), 200, 'backup code').response;
  } else if (signIn.status === 'needs_client_trust') {
    const f = signIn.supported_second_factors.find((x) => x.strategy === 'email_code');
    expectStatus(await b.post(`${base}/prepare_second_factor`, { strategy: 'email_code', email_address_id: f.email_address_id }), 200, 'client trust prepare');
    signIn = expectStatus(await b.post(`${base}/attempt_second_factor`, { strategy: 'email_code', code: await code() }), 200, 'client trust').response;
  }
  assert.equal(signIn.status, 'complete', JSON.stringify(signIn));
  return signIn.created_session_id;
}

async function driveEverything(environment) {
  const usher = await startUsher(environment);
  servers.push(usher);
  const exchanges = [];
  const dev = environment === 'development';
  const email = dev ? 'spec-ada+clerk_test@example.com' : 'spec-ada@example.com';
  const seenCodes = new Set();
  // +clerk_test addresses take the fixed test code on development instances.
  const code = () => (dev ? Promise.resolve('424242') : emailedCode(usher, email, seenCodes));
  const passwords = ['Vivid-quartz-lantern-2931', 'Amber-harbour-comet-8812', 'Silent-meadow-fjord-5530'];

  const a = await newBrowser(usher, exchanges);
  expectStatus(await a.get('/.well-known/jwks.json'), 200, 'jwks');
  expectStatus(await a.get('/v1/environment'), 200, 'environment');
  expectStatus(await a.patch('/v1/environment', {}), 200, 'environment patch');
  expectStatus(await a.get('/v1/client'), 200, 'no client yet');
  expectStatus(await a.get('/v1/me'), 401, 'me without a session').errors;
  expectStatus(await a.get('/v1/client/sign_ins/sia_2unknownunknownunknownunkn'), 404, 'unknown sign-in');

  // Sign-up: fields, email verification (one wrong code first), the session it creates.
  let su = expectStatus(await a.post('/v1/client/sign_ups', { email_address: email, password: passwords[0] }), 200, 'sign-up').response;
  expectStatus(await a.get(`/v1/client/sign_ups/${su.id}`), 200, 'sign-up read');
  expectStatus(await a.patch(`/v1/client/sign_ups/${su.id}`, { first_name: 'Ada', last_name: 'Lovelace', username: 'ada_spec' }), 200, 'sign-up update');
  expectStatus(await a.post(`/v1/client/sign_ups/${su.id}/prepare_verification`, { strategy: 'email_code' }), 200, 'prepare verification');
  const signUpCode = await code();
  const wrong = signUpCode === '000000' ? '111111' : '000000';
  expectStatus(await a.post(`/v1/client/sign_ups/${su.id}/attempt_verification`, { strategy: 'email_code', code: wrong }), 422, 'wrong code');
  su = expectStatus(await a.post(`/v1/client/sign_ups/${su.id}/attempt_verification`, { strategy: 'email_code', code: signUpCode }), 200, 'verification').response;
  assert.equal(su.status, 'complete');
  const sid = su.created_session_id;
  a.sessionId = sid;

  // Sessions and /v1/me.
  expectStatus(await a.get(`/v1/client/sessions/${sid}`), 200, 'session');
  expectStatus(await a.post(`/v1/client/sessions/${sid}/touch`, {}), 200, 'touch');
  expectStatus(await a.post(`/v1/client/sessions/${sid}/tokens`, {}), 200, 'token');
  expectStatus(await a.post(`/v1/client/sessions/${sid}/tokens/no_such_template`, {}), 404, 'unknown template');
  expectStatus(await a.get('/v1/me'), 200, 'me');
  expectStatus(await a.patch('/v1/me', { first_name: 'Augusta' }), 200, 'me update');
  expectStatus(await a.post('/v1/me/change_password', { current_password: passwords[0], new_password: passwords[1] }), 200, 'change password');
  const t = expectStatus(await a.post('/v1/me/totp', {}), 200, 'totp').response;
  expectStatus(await a.post('/v1/me/totp/attempt_verification', { code: totp(t.secret) === '000000' ? '111111' : '000000' }), 422, 'wrong totp');
  const verified = expectStatus(await a.post('/v1/me/totp/attempt_verification', { code: totp(t.secret) }), 200, 'totp verified').response;
  assert.equal(verified.verified, true);
  const backup = expectStatus(await a.post('/v1/me/backup_codes', {}), 200, 'backup codes').response.codes;
  expectStatus(await a.get('/v1/me/sessions/active'), 200, 'active sessions');

  // API keys, as <APIKeys/> drives them: the session token as the bearer, JSON bodies.
  const jwt = expectStatus(await a.post(`/v1/client/sessions/${sid}/tokens`, {}), 200, 'token for api keys').jwt;
  const ak = expectStatus(await a.bearer('POST', '/api_keys', jwt, { type: 'api_key', name: 'spec key', subject: '', description: 'from the spec suite', seconds_until_expiration: 3600 }), 201, 'create api key');
  expectStatus(await a.bearer('POST', '/api_keys', jwt, { type: 'api_key', name: 'no', subject: '' }), 400, 'api key name too short');
  const keysPage = expectStatus(await a.bearer('GET', `/api_keys?subject=${ak.subject}&query=&limit=10&offset=0`, jwt), 200, 'list api keys');
  assert.equal(keysPage.total_count, 1);
  expectStatus(await a.bearer('POST', `/api_keys/${ak.id}/revoke`, jwt, { revocation_reason: 'spec' }), 200, 'revoke api key');
  expectStatus(await a.bearer('GET', `/api_keys?subject=${ak.subject}&limit=10&offset=0`, 'not-a-token'), 401, 'api keys without a session');

  // Organizations: created by the user (its admin), read, renamed, its members and roles; the
  // last admin can neither leave nor be removed; then it is deleted.
  const me = expectStatus(await a.get('/v1/me'), 200, 'me').response;
  const org = expectStatus(await a.post('/v1/organizations', { name: 'Spec Co' }), 200, 'create organization').response;
  const o = `/v1/organizations/${org.id}`;
  expectStatus(await a.get('/v1/me/organization_memberships?limit=10&offset=0&paginated=true'), 200, 'my memberships');
  expectStatus(await a.get('/v1/me/organization_creation_defaults'), 200, 'creation defaults');
  const suggestions = expectStatus(await a.get('/v1/me/organization_suggestions?status=pending&status=accepted&limit=10&offset=0'), 200, 'my suggestions').response;
  assert.deepEqual(suggestions, { data: [], total_count: 0 });
  expectStatus(await a.get(o), 200, 'organization');
  expectStatus(await a.patch(o, { name: 'Spec Company', slug: 'spec-company' }), 200, 'organization update');
  expectStatus(await a.get(`${o}/roles?limit=20&offset=0`), 200, 'roles');
  // Its logo and the user's profile image, as setLogo({ file }) and setProfileImage({ file }) send them.
  const upload = () => {
    const fd = new FormData();
    fd.append('file', new Blob([PNG], { type: 'image/png' }), 'image.png');
    return fd;
  };
  const withLogo = expectStatus(await a.put(`${o}/logo`, upload()), 200, 'logo').response;
  assert.equal(withLogo.has_image, true);
  expectStatus(await a.delete(`${o}/logo`), 200, 'logo removed');
  const image = expectStatus(await a.post('/v1/me/profile_image', upload()), 200, 'profile image').response;
  assert.equal(image.object, 'image');
  expectStatus(await a.delete('/v1/me/profile_image'), 200, 'profile image removed');
  expectStatus(await a.get(`${o}/memberships?limit=10&offset=0&paginated=true&role=org:admin`), 200, 'members');
  expectStatus(await a.post(`${o}/memberships`, { user_id: me.id, role: 'org:member' }), 400, 'already a member');
  expectStatus(await a.patch(`${o}/memberships/${me.id}`, { role: 'org:admin' }), 200, 'member role');
  expectStatus(await a.delete(`${o}/memberships/${me.id}`), 403, 'last admin removed');
  // Its invitations, as <OrganizationProfile/> sends them (the bulk form repeats email_address).
  const many = expectStatus(await a.post(`${o}/invitations/bulk`, [
    ['email_address', 'spec-invitee-1@example.com'], ['email_address', 'spec-invitee-2@example.com'], ['role', 'org:member'],
  ]), 200, 'invite several').response;
  assert.equal(many.length, 2);
  expectStatus(await a.post(`${o}/invitations`, { email_address: 'spec-invitee-3@example.com', role: 'org:admin' }), 200, 'invite one');
  expectStatus(await a.get(`${o}/invitations?status=pending&limit=10&offset=0`), 200, 'invitations');
  expectStatus(await a.post(`${o}/invitations/${many[0].id}/revoke`, {}), 200, 'invitation revoked');
  expectStatus(await a.delete(`/v1/me/organization_memberships/${org.id}`), 403, 'last admin leaves');
  expectStatus(await a.get('/v1/organizations/org_2unknownunknownunknownunkn'), 404, 'not a member');

  // Its domains: one added unverified, verified with a code emailed to an address there (one
  // wrong code first), its enrollment mode changed, then removed; a public provider refused.
  expectStatus(await a.post(`${o}/domains`, { name: 'gmail.com' }), 422, 'common email domain');
  const dom = expectStatus(await a.post(`${o}/domains`, { name: 'spec-co.com' }), 200, 'create domain').response;
  assert.equal(dom.affiliation_verification, null);
  const od = `${o}/domains/${dom.id}`;
  const affiliate = dev ? 'ada+clerk_test@spec-co.com' : 'ada@spec-co.com';
  expectStatus(await a.post(`${od}/prepare_affiliation_verification`, { affiliation_email_address: 'ada@elsewhere.com' }), 422, 'address elsewhere');
  expectStatus(await a.post(`${od}/prepare_affiliation_verification`, { affiliation_email_address: affiliate }), 200, 'prepare affiliation');
  const domainCode = dev ? '424242' : await emailedCode(usher, affiliate, seenCodes);
  expectStatus(await a.post(`${od}/attempt_affiliation_verification`, { code: domainCode === '000000' ? '111111' : '000000' }), 422, 'wrong domain code');
  const verifiedDomain = expectStatus(await a.post(`${od}/attempt_affiliation_verification`, { code: domainCode }), 200, 'attempt affiliation').response;
  assert.equal(verifiedDomain.affiliation_verification.status, 'verified');
  expectStatus(await a.get(`${o}/domains?limit=10&offset=0`), 200, 'domains');
  expectStatus(await a.get(od), 200, 'domain');
  expectStatus(await a.post(`${od}/update_enrollment_mode`, { enrollment_mode: 'automatic_suggestion', delete_pending: true }), 200, 'enrollment mode');
  expectStatus(await a.delete(od), 200, 'domain deleted');
  expectStatus(await a.get(od), 404, 'domain gone');
  expectStatus(await a.get(`/v1/organizations/org_2unknownunknownunknownunkn/domains?limit=10&offset=0`), 404, 'domains of another');
  expectStatus(await a.delete(o), 200, 'organization deleted');

  // Invitations made over the Backend API: Ada's listed and accepted (once), and the emailed
  // tickets redeemed by a sign-up (a new address) and a sign-in (Ada's address).
  const api = bapi(usher);
  const inviter = await api.post('/v1/users', { email_address: ['spec-inviter@example.com'], skip_password_requirement: true });
  const inviting = async (name, address) => {
    const org = await api.post('/v1/organizations', { name, created_by: inviter.id });
    const inv = await api.post(`/v1/organizations/${org.id}/invitations`, { email_address: address, role: 'org:member' });
    const [mail] = (await emailsTo(api, address)).data;
    const ticket = mail.body_plain.match(/__clerk_ticket=([0-9a-f]+)/)[1];
    return { inv, ticket };
  };
  const toAda = await inviting('Spec Invites', email);
  const invitations = expectStatus(await a.get('/v1/me/organization_invitations?limit=10&offset=0&status=pending'), 200, 'my invitations').response;
  assert.equal(invitations.total_count, 1);
  const accepted = expectStatus(await a.post(`/v1/me/organization_invitations/${toAda.inv.id}/accept`, {}), 200, 'accept invitation').response;
  assert.equal(accepted.status, 'accepted');
  expectStatus(await a.post(`/v1/me/organization_invitations/${toAda.inv.id}/accept`, {}), 400, 'accepted twice');
  const newcomer = dev ? 'spec-newcomer+clerk_test@example.com' : 'spec-newcomer@example.com';
  const toNewcomer = await inviting('Spec Newcomers', newcomer);
  const d = await newBrowser(usher, exchanges);
  expectStatus(await d.post('/v1/client/sign_ups', { strategy: 'ticket', ticket: 'not-a-ticket' }), 400, 'unknown ticket');
  let ticketed = expectStatus(await d.post('/v1/client/sign_ups', { strategy: 'ticket', ticket: toNewcomer.ticket }), 200, 'ticket sign-up').response;
  assert.equal(ticketed.status, 'missing_requirements');
  ticketed = expectStatus(await d.patch(`/v1/client/sign_ups/${ticketed.id}`, { password: passwords[2] }), 200, 'ticket sign-up password').response;
  assert.equal(ticketed.status, 'complete');
  const toAdaAgain = await inviting('Spec Sign-ins', email);
  const e = await newBrowser(usher, exchanges);
  const ticketSignIn = expectStatus(await e.post('/v1/client/sign_ins', { strategy: 'ticket', ticket: toAdaAgain.ticket }), 200, 'ticket sign-in').response;
  assert.equal(ticketSignIn.status, 'needs_second_factor'); // Ada has TOTP on
  expectStatus(await e.post('/v1/client/sign_ins', { strategy: 'ticket', ticket: toAdaAgain.ticket }), 400, 'ticket used');

  // Enrollment by verified domain: Ada's organization verifies a domain in automatic_suggestion
  // mode; two newcomers at it sign up, see the suggestion and accept it; Ada accepts one request
  // and rejects the other.
  const domainOrg = expectStatus(await a.post('/v1/organizations', { name: 'Spec Domains' }), 200, 'domain organization').response;
  await api.post(`/v1/organizations/${domainOrg.id}/domains`, { name: 'spec-domain.test', enrollment_mode: 'automatic_suggestion', verified: true });
  const requestsPath = `/v1/organizations/${domainOrg.id}/membership_requests`;
  for (const local of ['spec-joiner', 'spec-refused']) {
    const address = dev ? `${local}+clerk_test@spec-domain.test` : `${local}@spec-domain.test`;
    const j = await newBrowser(usher, exchanges);
    let joiner = expectStatus(await j.post('/v1/client/sign_ups', { email_address: address, password: passwords[2] }), 200, 'domain sign-up').response;
    expectStatus(await j.post(`/v1/client/sign_ups/${joiner.id}/prepare_verification`, { strategy: 'email_code' }), 200, 'domain sign-up code');
    const joinCode = dev ? '424242' : await emailedCode(usher, address, new Set());
    joiner = expectStatus(await j.post(`/v1/client/sign_ups/${joiner.id}/attempt_verification`, { strategy: 'email_code', code: joinCode }), 200, 'domain sign-up verified').response;
    j.sessionId = joiner.created_session_id;
    const suggestions = expectStatus(await j.get('/v1/me/organization_suggestions?limit=10&offset=0&status=pending&status=accepted'), 200, 'my suggestions').response;
    assert.equal(suggestions.total_count, 1);
    const sugg = expectStatus(await j.post(`/v1/me/organization_suggestions/${suggestions.data[0].id}/accept`, {}), 200, 'accept suggestion').response;
    assert.equal(sugg.status, 'accepted');
    expectStatus(await j.post(`/v1/me/organization_suggestions/${sugg.id}/accept`, {}), 400, 'suggestion accepted twice');
    expectStatus(await j.get(`${requestsPath}?limit=10&offset=0&status=pending`), 404, 'requests of an organization not joined');
  }
  const pending = expectStatus(await a.get(`${requestsPath}?limit=10&offset=0&status=pending`), 200, 'membership requests').response;
  assert.equal(pending.total_count, 2);
  const [first, second] = pending.data;
  assert.equal(expectStatus(await a.post(`${requestsPath}/${first.id}/accept`, {}), 200, 'accept request').response.status, 'accepted');
  assert.equal(expectStatus(await a.post(`${requestsPath}/${second.id}/reject`, {}), 200, 'reject request').response.status, 'rejected');
  expectStatus(await a.post(`${requestsPath}/${first.id}/reject`, {}), 400, 'request decided twice');

  // A second browser signs in: identifier, a wrong then the right password, the second factor.
  const b = await newBrowser(usher, exchanges);
  let si = expectStatus(await b.post('/v1/client/sign_ins', { identifier: email }), 200, 'sign-in').response;
  assert.equal(si.status, 'needs_first_factor');
  expectStatus(await b.get(`/v1/client/sign_ins/${si.id}`), 200, 'sign-in read');
  const emailFactor = si.supported_first_factors.find((f) => f.strategy === 'email_code');
  expectStatus(await b.post(`/v1/client/sign_ins/${si.id}/prepare_first_factor`, { strategy: 'email_code', email_address_id: emailFactor.email_address_id }), 200, 'prepare first factor');
  if (!dev) await code(); // the emailed code, unused: the password signs in
  expectStatus(await b.post(`/v1/client/sign_ins/${si.id}/attempt_first_factor`, { strategy: 'password', password: 'Wrong-password-0000' }), 422, 'wrong password');
  si = expectStatus(await b.post(`/v1/client/sign_ins/${si.id}/attempt_first_factor`, { strategy: 'password', password: passwords[1] }), 200, 'password').response;
  assert.equal(si.status, 'needs_second_factor');
  const sid2 = await finishSignIn(b, si, { backupCode: backup[0], code });
  b.sessionId = sid2;
  expectStatus(await a.get('/v1/me/sessions/active'), 200, 'two active sessions');
  expectStatus(await a.post(`/v1/me/sessions/${sid2}/revoke`, {}), 200, 'revoke');

  // The first browser: TOTP off, its session removed, then signs in again in one request.
  expectStatus(await a.delete('/v1/me/totp'), 200, 'totp off');
  expectStatus(await a.post(`/v1/client/sessions/${sid}/remove`, {}), 200, 'remove');
  si = expectStatus(await a.post('/v1/client/sign_ins', { identifier: email, strategy: 'password', password: passwords[1] }), 200, 'one-step sign-in').response;
  const sid4 = await finishSignIn(a, si, { backupCode: backup[2], code });
  assert.ok(sid4);
  a.sessionId = sid4;

  // A third browser resets the password with an emailed code.
  const c = await newBrowser(usher, exchanges);
  si = expectStatus(await c.post('/v1/client/sign_ins', { identifier: email }), 200, 'sign-in for reset').response;
  const resetFactor = si.supported_first_factors.find((f) => f.strategy === 'reset_password_email_code');
  assert.ok(resetFactor, JSON.stringify(si.supported_first_factors));
  expectStatus(await c.post(`/v1/client/sign_ins/${si.id}/prepare_first_factor`, { strategy: 'reset_password_email_code', email_address_id: resetFactor.email_address_id }), 200, 'prepare reset');
  si = expectStatus(await c.post(`/v1/client/sign_ins/${si.id}/attempt_first_factor`, { strategy: 'reset_password_email_code', code: await code() }), 200, 'reset code').response;
  assert.equal(si.status, 'needs_new_password');
  si = expectStatus(await c.post(`/v1/client/sign_ins/${si.id}/reset_password`, { password: passwords[2], sign_out_of_other_sessions: 'false' }), 200, 'reset').response;
  const sid3 = await finishSignIn(c, si, { backupCode: backup[1], code });
  expectStatus(await c.post(`/v1/client/sessions/${sid3}/end`, {}), 200, 'end');
  expectStatus(await c.get('/v1/client'), 200, 'client after end');

  // Then it signs out of everything, and finally the client goes.
  expectStatus(await a.get('/v1/client'), 200, 'client signed in');
  expectStatus(await a.delete('/v1/client/sessions'), 200, 'sign out');
  expectStatus(await a.delete('/v1/client'), 200, 'client gone');
  return exchanges;
}

for (const environment of ['production', 'development']) {
  test(`${environment}: every Frontend API response matches Clerk's spec`, async () => {
    const exchanges = await driveEverything(environment);
    const seen = covered(exchanges);
    const missing = SERVED.filter((op) => !seen.has(op) && !(environment === 'production' && op === 'POST /v1/dev_browser'));
    assert.deepEqual(missing, [], 'operations not exercised');
    validateAll(exchanges);
  });
}

// Forced organization selection: the environment saying so, a sign-up's pending session with its
// choose-organization task (a touch without an organization keeps it pending), an organization
// created while pending, and the touch choosing it that makes the session active.
test('production, forced organization selection: pending sessions and their task match Clerk\'s spec', async () => {
  const usher = await startUsher('production', { forced: true });
  servers.push(usher);
  const exchanges = [];
  const email = 'spec-forced@example.com';
  const seen = new Set();
  const a = await newBrowser(usher, exchanges);
  const environment = expectStatus(await a.get('/v1/environment'), 200, 'environment');
  assert.equal(environment.organization_settings.force_organization_selection, true);
  let su = expectStatus(await a.post('/v1/client/sign_ups', { email_address: email, password: 'Vivid-quartz-lantern-2931' }), 200, 'sign-up').response;
  expectStatus(await a.post(`/v1/client/sign_ups/${su.id}/prepare_verification`, { strategy: 'email_code' }), 200, 'prepare verification');
  su = expectStatus(await a.post(`/v1/client/sign_ups/${su.id}/attempt_verification`, { strategy: 'email_code', code: await emailedCode(usher, email, seen) }), 200, 'verification').response;
  const sid = su.created_session_id;
  a.sessionId = sid;
  let session = expectStatus(await a.get(`/v1/client/sessions/${sid}`), 200, 'pending session').response;
  assert.equal(session.status, 'pending');
  assert.deepEqual(session.tasks, [{ key: 'choose-organization' }]);
  session = expectStatus(await a.post(`/v1/client/sessions/${sid}/touch`, { active_organization_id: '', intent: 'focus' }), 200, 'touch, no organization').response;
  assert.equal(session.status, 'pending');
  expectStatus(await a.post(`/v1/client/sessions/${sid}/tokens`, { organization_id: '' }), 200, 'pending token');
  const org = expectStatus(await a.post('/v1/organizations', { name: 'Forced Co' }), 200, 'create organization while pending').response;
  session = expectStatus(await a.post(`/v1/client/sessions/${sid}/touch`, { active_organization_id: org.id, intent: 'select_org' }), 200, 'touch, organization chosen').response;
  assert.equal(session.status, 'active');
  assert.equal(session.tasks, null);
  expectStatus(await a.post(`/v1/client/sessions/${sid}/tokens`, { organization_id: org.id }), 200, 'active token');
  validateAll(exchanges);
});
