//! Waiting for the server, creating the users and sessions, and checking one minted token.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hyper::Method;
use hyper::body::Bytes;
use serde_json::{Value, json};

use crate::http::{Client, Response};
use crate::procfs;

const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
const FIXTURE_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

pub const BENCH_EMAIL: &str = "bench@example.com";

pub fn snippet(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(body);
    let s = s.trim();
    if s.chars().count() > 300 {
        format!("{}…", s.chars().take(300).collect::<String>())
    } else {
        s.to_owned()
    }
}

/// Polls `GET /healthz` until 200, giving up if the server exits or takes too long to start.
pub async fn wait_healthy(client: &mut Client, server_pid: u32) -> Result<Duration> {
    let start = Instant::now();
    let mut last = String::from("no attempt");
    while start.elapsed() < STARTUP_TIMEOUT {
        if !procfs::alive(server_pid) {
            bail!("the server (pid {server_pid}) exited before becoming healthy; last: {last}");
        }
        match tokio::time::timeout(Duration::from_secs(2), client.get("/healthz")).await {
            Ok(Ok(res)) if res.status == 200 => return Ok(start.elapsed()),
            Ok(Ok(res)) => last = format!("GET /healthz -> {} {}", res.status, snippet(&res.body)),
            Ok(Err(e)) => last = format!("GET /healthz: {e:#}"),
            Err(_) => {
                client.drop_connection();
                last = "GET /healthz timed out".into();
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!(
        "the server did not answer GET /healthz with 200 within {STARTUP_TIMEOUT:?}; last: {last}"
    )
}

async fn post_json(client: &mut Client, path: &str, body: &Value) -> Result<Value> {
    send_json(client, Method::POST, path, body).await
}

async fn patch_json(client: &mut Client, path: &str, body: &Value) -> Result<Value> {
    send_json(client, Method::PATCH, path, body).await
}

/// A JSON body sent to the Backend API; the JSON answer of a success, or an error naming the
/// request.
async fn send_json(client: &mut Client, method: Method, path: &str, body: &Value) -> Result<Value> {
    let bytes = Bytes::from(serde_json::to_vec(body)?);
    let res: Response = tokio::time::timeout(
        FIXTURE_REQUEST_TIMEOUT,
        client.send(method.clone(), path, bytes),
    )
    .await
    .with_context(|| format!("{method} {path} timed out"))?
    .with_context(|| format!("{method} {path}"))?;
    if !res.status.is_success() {
        bail!("{method} {path} -> {} {}", res.status, snippet(&res.body));
    }
    serde_json::from_slice(&res.body)
        .with_context(|| format!("{method} {path}: body is not JSON: {}", snippet(&res.body)))
}

/// The array of strings `name` of a JSON file the benchmark wrote (`file` names it in errors).
pub fn string_list(v: &Value, file: &str, name: &str) -> Result<Vec<String>> {
    v.get(name)
        .and_then(Value::as_array)
        .with_context(|| format!("the {file} file has no {name}"))?
        .iter()
        .map(|e| e.as_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()
        .with_context(|| format!("the {file} file's {name} are not all strings"))
}

fn id_of(v: &Value, what: &str) -> Result<String> {
    v.get("id")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .with_context(|| format!("{what} has no \"id\": {v}"))
}

pub struct Fixture {
    pub user_id: String,
    pub session_ids: Vec<String>,
}

/// One user and `sessions` sessions for it, through the Backend API.
pub async fn create(client: &mut Client, sessions: usize) -> Result<Fixture> {
    let user = post_json(
        client,
        "/v1/users",
        // Minting never touches passwords, so the fixture does not either: no Argon2 buffer is
        // allocated before the idle reading.
        &json!({ "email_address": [BENCH_EMAIL], "skip_password_requirement": true }),
    )
    .await?;
    let user_id = id_of(&user, "the created user")?;
    let mut session_ids = Vec::with_capacity(sessions);
    for _ in 0..sessions {
        let session = post_json(client, "/v1/sessions", &json!({ "user_id": user_id })).await?;
        session_ids.push(id_of(&session, "the created session")?);
    }
    Ok(Fixture {
        user_id,
        session_ids,
    })
}

/// The JWT template of the comparison: a Hasura-style template (nested claims, a metadata
/// fallback, interpolation, the primary address), signed by the instance's key.
pub const TEMPLATE_NAME: &str = "bench-hasura";

pub async fn create_template(client: &mut Client) -> Result<()> {
    post_json(
        client,
        "/v1/jwt_templates",
        &json!({
            "name": TEMPLATE_NAME,
            "lifetime": 60,
            "claims": {
                "aud": "bench",
                "email": "{{user.primary_email_address}}",
                "name": "{{user.first_name || 'Bench'}} {{user.last_name || 'User'}}",
                "https://hasura.io/jwt/claims": {
                    "x-hasura-user-id": "{{user.id}}",
                    "x-hasura-default-role": "{{user.public_metadata.role || 'user'}}",
                    "x-hasura-allowed-roles": ["user", "admin"],
                    "x-hasura-org-id": "{{org.id || 'none'}}",
                },
            },
        }),
    )
    .await?;
    Ok(())
}

pub fn template_path(session_id: &str) -> String {
    format!("/v1/sessions/{session_id}/tokens/{TEMPLATE_NAME}")
}

/// One template token: rendered for the fixture user, signed by the key in `/v1/jwks`.
pub async fn check_template_token(
    client: &mut Client,
    session_id: &str,
    user_id: &str,
) -> Result<TokenCheck> {
    let path = template_path(session_id);
    let jwt = mint(client, &path).await?;
    let claims = claims_of(&jwt)?;
    let hasura = &claims["https://hasura.io/jwt/claims"];
    if claims["sub"] != user_id
        || hasura["x-hasura-user-id"] != user_id
        || hasura["x-hasura-default-role"] != "user"
        || claims["email"] != BENCH_EMAIL
        || claims["name"] != "Bench User"
    {
        bail!("the template token is not rendered for the fixture user: {claims}");
    }
    verify_signed(client, &jwt, None).await
}

/// The custom session claims of the comparison: a metadata fallback, the user's id and name
/// interpolated, static values (what reads the user, as most apps' templates do).
pub async fn set_session_claims(client: &mut Client, on: bool) -> Result<()> {
    let claims = if on {
        json!({
            "role": "{{user.public_metadata.role || 'user'}}",
            "uid": "{{user.id}}",
            "display": "{{user.first_name || 'Bench'}} {{user.last_name || 'User'}}",
            "app": {"tier": "bench", "flags": [1, 2, 3]},
        })
    } else {
        json!({})
    };
    patch_json(
        client,
        "/v1/instance/session_token",
        &json!({ "claims": claims }),
    )
    .await?;
    Ok(())
}

/// One session token with the custom claims rendered for the fixture user.
pub async fn check_session_claims_token(
    client: &mut Client,
    session_id: &str,
    user_id: &str,
) -> Result<TokenCheck> {
    let path = tokens_path(session_id);
    let jwt = mint(client, &path).await?;
    let claims = claims_of(&jwt)?;
    if claims["uid"] != user_id || claims["role"] != "user" || claims["display"] != "Bench User" {
        bail!("the session token carries no custom claims for the fixture user: {claims}");
    }
    verify_token(client, &jwt, session_id).await
}

/// What a role of an active organization grants in the comparison: `FEATURES` features with
/// `ACTIONS` actions each, all custom permissions, so every one reaches the token's `o` claim.
pub const ORG_FEATURES: usize = 5;
pub const ORG_ACTIONS: usize = 4;

/// Sessions active in an organization where the fixture user holds a custom role granting
/// `ORG_FEATURES * ORG_ACTIONS` permissions, for the comparison with sessions without one.
pub struct OrganizationFixture {
    pub organization_id: String,
    pub permissions: usize,
    pub session_ids: Vec<String>,
}

pub async fn create_organization(
    client: &mut Client,
    user_id: &str,
    sessions: usize,
) -> Result<OrganizationFixture> {
    let mut permission_ids = Vec::with_capacity(ORG_FEATURES * ORG_ACTIONS);
    for f in 0..ORG_FEATURES {
        for a in 0..ORG_ACTIONS {
            let key = format!("org:feature{f}:action{a}");
            let p = post_json(
                client,
                "/v1/organization_permissions",
                &json!({ "name": key, "key": key, "description": "benchmark" }),
            )
            .await?;
            permission_ids.push(id_of(&p, "a created permission")?);
        }
    }
    post_json(
        client,
        "/v1/organization_roles",
        &json!({ "name": "Bench", "key": "org:bench", "permissions": permission_ids }),
    )
    .await?;
    // The organization's creator is its admin; the fixture user joins with the custom role.
    let owner = post_json(
        client,
        "/v1/users",
        &json!({ "email_address": ["bench-owner@example.com"], "skip_password_requirement": true }),
    )
    .await?;
    let org = post_json(
        client,
        "/v1/organizations",
        &json!({ "name": "Bench", "slug": "bench", "created_by": id_of(&owner, "the owner")? }),
    )
    .await?;
    let organization_id = id_of(&org, "the created organization")?;
    post_json(
        client,
        &format!("/v1/organizations/{organization_id}/memberships"),
        &json!({ "user_id": user_id, "role": "org:bench" }),
    )
    .await?;
    let mut session_ids = Vec::with_capacity(sessions);
    for _ in 0..sessions {
        let session = post_json(
            client,
            "/v1/sessions",
            &json!({ "user_id": user_id, "active_organization_id": organization_id }),
        )
        .await?;
        session_ids.push(id_of(&session, "the created session")?);
    }
    Ok(OrganizationFixture {
        organization_id,
        permissions: permission_ids.len(),
        session_ids,
    })
}

/// Mints one token for an organization session and checks it as [`check_token`] does, and that
/// its `o` claim names the organization with the role and every permission.
pub async fn check_organization_token(
    client: &mut Client,
    fixture: &OrganizationFixture,
) -> Result<TokenCheck> {
    let session_id = fixture
        .session_ids
        .first()
        .context("no organization session")?;
    let path = tokens_path(session_id);
    let jwt = mint(client, &path).await?;
    let check = verify_token(client, &jwt, session_id).await?;
    let claims = claims_of(&jwt)?;
    let o = claims.get("o").cloned().unwrap_or(Value::Null);
    let per = o.get("per").and_then(Value::as_str).unwrap_or_default();
    let fea = claims
        .get("fea")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if o.get("id").and_then(Value::as_str) != Some(fixture.organization_id.as_str())
        || o.get("rol").and_then(Value::as_str) != Some("bench")
        || per.split(',').count() != ORG_ACTIONS
        || fea.split(',').count() != ORG_FEATURES
    {
        bail!(
            "the organization token does not carry the organization's role and permissions: {claims}"
        );
    }
    Ok(check)
}

/// Many users, created for `bench/backends/run`, sessions for some of them, and organizations
/// the users are members of.
pub struct Population {
    pub user_ids: Vec<String>,
    pub session_ids: Vec<String>,
    pub organizations: Vec<PopulatedOrganization>,
}

/// An organization of a [`Population`] and how many members it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulatedOrganization {
    pub id: String,
    pub members: usize,
}

impl Population {
    pub fn memberships(&self) -> usize {
        self.organizations.iter().map(|o| o.members).sum()
    }

    pub fn to_json(&self) -> Value {
        let organizations: Vec<Value> = self
            .organizations
            .iter()
            .map(|o| json!({ "id": o.id, "members": o.members }))
            .collect();
        json!({
            "user_ids": self.user_ids,
            "session_ids": self.session_ids,
            "organizations": organizations,
        })
    }

    pub fn from_json(v: &Value) -> Result<Self> {
        let ids = |name: &str| string_list(v, "fixture", name);
        // A fixture file written before organizations were part of it has none.
        let organizations = v
            .get("organizations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|o| {
                Some(PopulatedOrganization {
                    id: o.get("id")?.as_str()?.to_owned(),
                    members: usize::try_from(o.get("members")?.as_u64()?).ok()?,
                })
            })
            .collect::<Option<Vec<_>>>()
            .context("the fixture file's organizations are not all {id, members}")?;
        Ok(Self {
            user_ids: ids("user_ids")?,
            session_ids: ids("session_ids")?,
            organizations,
        })
    }
}

/// Organizations for `users` users when not told: one per ten users, at least 2 and at most 50,
/// so a small population still has several organizations and a large one stays quick to create.
pub fn default_organizations(users: usize) -> usize {
    (users / 10).clamp(2, 50)
}

/// Who joins which organization: user `i` joins organization `i mod organizations`, and every
/// even-numbered user also joins the next one, so half the users belong to two. Pairs of
/// (organization index, user index), ordered so that neighbouring pairs mostly name different
/// organizations: the fixture's concurrent writes then seldom touch the same one.
pub fn membership_plan(users: usize, organizations: usize) -> Vec<(usize, usize)> {
    if organizations == 0 {
        return Vec::new();
    }
    let first = (0..users).map(|i| (i % organizations, i));
    let second = (0..users)
        .filter(|i| organizations > 1 && i % 2 == 0)
        .map(|i| ((i + 1) % organizations, i));
    first.chain(second).collect()
}

/// Runs `make(i)` for every `i` in `0..count` over `concurrency` connections spread round-robin
/// over `targets` (so every node writes), and returns the ids in `i` order.
pub async fn create_many<F, P>(
    targets: &[SocketAddr],
    secret_key: &str,
    count: usize,
    concurrency: usize,
    what: &'static str,
    make: F,
) -> Result<Vec<String>>
where
    F: Fn(usize) -> (P, Value) + Clone + Send + 'static,
    P: AsRef<str> + Send,
{
    let concurrency = concurrency.clamp(1, count.max(1));
    let mut tasks = Vec::with_capacity(concurrency);
    for k in 0..concurrency {
        let mut client = Client::new(targets[k % targets.len()], Some(secret_key))?;
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let mut made = Vec::new();
            for i in (k..count).step_by(concurrency) {
                let (path, body) = make(i);
                let created = post_json(&mut client, path.as_ref(), &body).await?;
                made.push((i, id_of(&created, what)?));
            }
            anyhow::Ok(made)
        }));
    }
    let mut ids = vec![String::new(); count];
    for task in tasks {
        for (i, id) in task.await.context("a fixture task failed")?? {
            ids[i] = id;
        }
    }
    Ok(ids)
}

/// `users` users without passwords (`bench-00000@example.com`, …), one session each for the
/// first `sessions` of them, and `organizations` organizations (`Bench 000`, …) the users join
/// as `org:member` following [`membership_plan`], through the Backend API of every target.
pub async fn create_population(
    targets: &[SocketAddr],
    secret_key: &str,
    users: usize,
    sessions: usize,
    organizations: usize,
    concurrency: usize,
) -> Result<Population> {
    if targets.is_empty() || sessions > users {
        bail!("a population needs a target, and no more sessions than users");
    }
    let user_ids = create_many(
        targets,
        secret_key,
        users,
        concurrency,
        "a created user",
        |i| {
            (
                "/v1/users",
                json!({
                    "email_address": [format!("bench-{i:05}@example.com")],
                    "skip_password_requirement": true,
                }),
            )
        },
    )
    .await?;
    let owners = user_ids[..sessions].to_vec();
    let session_ids = create_many(
        targets,
        secret_key,
        sessions,
        concurrency,
        "a created session",
        move |i| ("/v1/sessions", json!({ "user_id": owners[i] })),
    )
    .await?;
    // No `created_by`: the creator would be one more member, and the plan alone says who is.
    let organization_ids = create_many(
        targets,
        secret_key,
        organizations,
        concurrency,
        "a created organization",
        |i| {
            (
                "/v1/organizations",
                json!({ "name": format!("Bench {i:03}"), "slug": format!("bench-{i:03}") }),
            )
        },
    )
    .await?;
    let plan = membership_plan(users, organizations);
    let mut members = vec![0usize; organizations];
    for &(o, _) in &plan {
        members[o] += 1;
    }
    let (orgs, members_of) = (organization_ids.clone(), user_ids.clone());
    create_many(
        targets,
        secret_key,
        plan.len(),
        concurrency,
        "a created membership",
        move |j| {
            let (o, u) = plan[j];
            (
                format!("/v1/organizations/{}/memberships", orgs[o]),
                json!({ "user_id": members_of[u], "role": "org:member" }),
            )
        },
    )
    .await?;
    Ok(Population {
        user_ids,
        session_ids,
        organizations: organization_ids
            .into_iter()
            .zip(members)
            .map(|(id, members)| PopulatedOrganization { id, members })
            .collect(),
    })
}

pub fn tokens_path(session_id: &str) -> String {
    format!("/v1/sessions/{session_id}/tokens")
}

/// The token in a mint response: `{"jwt": "a.b.c", ...}`.
pub fn jwt_of(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let jwt = v.get("jwt")?.as_str()?;
    (jwt.split('.').count() == 3).then(|| jwt.to_owned())
}

pub struct TokenCheck {
    pub kid: String,
    /// The token's `iss`: the same on every node sharing a database.
    pub issuer: String,
    pub token_bytes: usize,
    /// How the signature was checked, or why it could not be.
    pub verdict: String,
}

fn b64_json(part: &str) -> Result<Value> {
    Ok(serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part)?)?)
}

/// POSTs to the token route `path` and returns the token: a timeout, a status other than 200
/// or a body without a token is an error.
async fn mint(client: &mut Client, path: &str) -> Result<String> {
    let res = tokio::time::timeout(
        FIXTURE_REQUEST_TIMEOUT,
        client.send(Method::POST, path, Bytes::new()),
    )
    .await
    .with_context(|| format!("POST {path} timed out"))??;
    if res.status != 200 {
        bail!("POST {path} -> {} {}", res.status, snippet(&res.body));
    }
    jwt_of(&res.body).with_context(|| format!("POST {path}: no jwt in {}", snippet(&res.body)))
}

/// The claims of `jwt`, decoded (the signature is [`verify_signed`]'s to check).
fn claims_of(jwt: &str) -> Result<Value> {
    jwt.split('.').nth(1).map(b64_json).context("jwt claims")?
}

/// Mints one token and checks it: RS256, `sid` is the session, and the signature verifies against
/// the key the server publishes at `/v1/jwks`. A token that fails is fatal: timing a server that
/// mints bad tokens means nothing.
pub async fn check_token(client: &mut Client, session_id: &str) -> Result<TokenCheck> {
    let path = tokens_path(session_id);
    let jwt = mint(client, &path).await?;
    verify_token(client, &jwt, session_id).await
}

/// Checks a session token: RS256, `sid` is the session, and the signature verifies against the
/// key `client`'s server publishes at `/v1/jwks` (the Backend and the Frontend API both do).
pub async fn verify_token(client: &mut Client, jwt: &str, session_id: &str) -> Result<TokenCheck> {
    verify_signed(client, jwt, Some(session_id)).await
}

/// Checks an RS256 token signed by the instance's key against `/v1/jwks`; `session_id`, when
/// given, must be its `sid` (a JWT template's token has none).
async fn verify_signed(
    client: &mut Client,
    jwt: &str,
    session_id: Option<&str>,
) -> Result<TokenCheck> {
    let mut parts = jwt.split('.');
    let (Some(h), Some(p), Some(s)) = (parts.next(), parts.next(), parts.next()) else {
        bail!("malformed jwt {jwt}");
    };
    let header = b64_json(h).context("jwt header")?;
    let claims = b64_json(p).context("jwt claims")?;
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        bail!("jwt header is not RS256: {header}");
    }
    if let Some(session_id) = session_id
        && claims.get("sid").and_then(Value::as_str) != Some(session_id)
    {
        bail!("jwt sid is not {session_id}: {claims}");
    }
    let issuer = claims
        .get("iss")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let kid = header
        .get("kid")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let sig = URL_SAFE_NO_PAD.decode(s).context("jwt signature")?;

    let jwks = tokio::time::timeout(FIXTURE_REQUEST_TIMEOUT, client.get("/v1/jwks"))
        .await
        .context("GET /v1/jwks timed out")??;
    if jwks.status != 200 {
        return Ok(TokenCheck {
            kid,
            issuer,
            token_bytes: jwt.len(),
            verdict: format!("signature NOT checked: GET /v1/jwks -> {}", jwks.status),
        });
    }
    let jwks: Value = serde_json::from_slice(&jwks.body).context("/v1/jwks is not JSON")?;
    let key = jwks
        .get("keys")
        .and_then(Value::as_array)
        .and_then(|keys| {
            keys.iter()
                .find(|k| k.get("kid").and_then(Value::as_str) == Some(kid.as_str()))
        })
        .with_context(|| format!("kid {kid:?} is not in /v1/jwks: {jwks}"))?;
    let component = |name: &str| -> Result<Vec<u8>> {
        let v = key
            .get(name)
            .and_then(Value::as_str)
            .with_context(|| format!("jwk has no {name}"))?;
        Ok(URL_SAFE_NO_PAD.decode(v)?)
    };
    let public = RsaPublicKeyComponents {
        n: component("n")?,
        e: component("e")?,
    };
    public
        .verify(
            &RSA_PKCS1_2048_8192_SHA256,
            format!("{h}.{p}").as_bytes(),
            &sig,
        )
        .map_err(|_| {
            anyhow::anyhow!(
                "the minted token's signature does not verify against /v1/jwks kid {kid}"
            )
        })?;
    Ok(TokenCheck {
        kid,
        issuer,
        token_bytes: jwt.len(),
        verdict: "RS256 signature verified against /v1/jwks".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_user_joins_one_or_two_distinct_organizations() {
        let plan = membership_plan(50, 5);
        assert_eq!(plan.len(), 75);
        for u in 0..50 {
            let mut orgs: Vec<usize> = plan
                .iter()
                .filter(|(_, user)| *user == u)
                .map(|(o, _)| *o)
                .collect();
            let n = orgs.len();
            orgs.dedup();
            assert_eq!(orgs.len(), n, "user {u} joins an organization twice");
            assert_eq!(n, if u % 2 == 0 { 2 } else { 1 }, "user {u}");
        }
        assert!(plan.windows(2).all(|w| w[0].0 != w[1].0));
        assert!(membership_plan(10, 0).is_empty());
        assert_eq!(membership_plan(10, 1).len(), 10);
        assert_eq!(default_organizations(50), 5);
        assert_eq!(default_organizations(10), 2);
        assert_eq!(default_organizations(2000), 50);
    }

    #[test]
    fn a_population_round_trips_through_its_file() -> Result<()> {
        let p = Population {
            user_ids: vec!["user_1".into(), "user_2".into()],
            session_ids: vec!["sess_1".into()],
            organizations: vec![PopulatedOrganization {
                id: "org_1".into(),
                members: 2,
            }],
        };
        let back = Population::from_json(&p.to_json())?;
        assert_eq!(back.organizations, p.organizations);
        assert_eq!(back.memberships(), 2);
        let old = json!({ "user_ids": ["user_1"], "session_ids": [] });
        assert!(Population::from_json(&old)?.organizations.is_empty());
        let bad = json!({ "user_ids": [], "session_ids": [], "organizations": [{ "id": 1 }] });
        assert!(Population::from_json(&bad).is_err());
        Ok(())
    }
}
