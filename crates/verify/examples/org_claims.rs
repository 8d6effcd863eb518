//! Fixtures for the organization cross-check (compat/verify-node/org-claims): session tokens
//! minted by usher-core for members of an organization under each kind of role, what the role
//! grants, and what usher-verify decodes from each token; and, for page navigations to paths
//! that name an organization or the personal account, what usher-verify's organization sync
//! decides. The Node suite runs the same tokens and requests through the official
//! @clerk/backend and asserts they agree.
//!
//! No server is needed: the key is generated here and handed to both sides as a PEM.
//!
//!   cargo run -p usher-verify --example org_claims -- OUT.json

use http::{HeaderMap, Method, Uri};
use serde_json::{Value, json};
use usher_core::clock::{Clock, SystemClock};
use usher_core::instance::{Environment, Instance, InstanceSettings, publishable_key};
use usher_core::roles::model::{Permission, PermissionType, Role};
use usher_core::roles::{ActiveOrganization, RoleCatalog, check_assignable};
use usher_core::sessions::tokens::{MintRequest, mint};
use usher_core::sessions::{Session, SessionStatus};
use usher_core::signing_keys::SigningKey;
use usher_verify::{Authenticator, Has, OrganizationSync, Status, Verifier};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const HOST: &str = "clerk.org-claims.test";
const INSTANCE: &str = "ins_orgclaims";
/// Handed to both sides; nothing is fetched with it (the key is given as a PEM).
const SECRET_KEY: &str = "sk_live_orgclaimsorgclaimsorgclaimsorgclaims";
const ORGANIZATION_PATTERNS: [&str; 3] = ["/orgs/:slug", "/orgs/:slug/(.*)", "/by-id/:id/(.*)"];
const PERSONAL_ACCOUNT_PATTERNS: [&str; 2] = ["/me", "/me/(.*)"];

/// What usher-verify decides for a page navigation to `path` with the token in the `__session`
/// cookie, organization sync on: the status, the reason and the handshake's `organization_id`.
async fn navigate(a: &Authenticator, token: &str, iat: i64, path: &str) -> Res<Value> {
    let mut h = HeaderMap::new();
    h.insert("host", "localhost:3000".parse()?);
    h.insert("sec-fetch-dest", "document".parse()?);
    h.insert("accept", "text/html".parse()?);
    h.insert(
        "cookie",
        format!("__session={token}; __client_uat={iat}").parse()?,
    );
    let st = a
        .authenticate(&Method::GET, &path.parse::<Uri>()?, &h)
        .await;
    let status = match st.status {
        Status::SignedIn => "signed-in",
        Status::SignedOut => "signed-out",
        Status::Handshake => "handshake",
    };
    let organization_id = st
        .headers
        .iter()
        .find(|(n, _)| n.as_str() == "location")
        .and_then(|(_, v)| v.to_str().ok())
        .and_then(|l| url_param(l, "organization_id"));
    Ok(json!({
        "path": path,
        "status": status,
        "reason": st.reason.map(|r| r.as_str()),
        "organizationId": organization_id,
    }))
}

fn url_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn permission(key: &str) -> Permission {
    Permission {
        id: usher_core::ids::PermissionId::from_stored(format!("perm_{}", key.replace(':', "_"))),
        key: key.to_owned(),
        name: key.to_owned(),
        description: String::new(),
        kind: PermissionType::User,
        created_at: 0,
        updated_at: 0,
    }
}

fn custom_role(key: &str, permissions: &[String]) -> Role {
    Role {
        id: usher_core::ids::RoleId::from_stored(format!("role_{}", key.replace(':', "_"))),
        key: key.to_owned(),
        name: key.to_owned(),
        description: None,
        permissions: permissions.iter().map(|k| permission(k)).collect(),
        created_at: 0,
        updated_at: 0,
    }
}

fn session(now: i64, org: Option<&ActiveOrganization>) -> Session {
    Session {
        id: usher_core::ids::SessionId::from_stored("sess_2orgclaims000000000000000000"),
        version: 0,
        client_id: usher_core::ids::ClientId::from_stored("client_2orgclaims00000000000000000"),
        user_id: usher_core::ids::UserId::from_stored("user_2orgclaims000000000000000000"),
        status: SessionStatus::Active,
        last_active_organization_id: org
            .map(|o| usher_core::ids::OrganizationId::from_stored(o.id.clone())),
        actor: None,
        last_active_at: now,
        expire_at: now + 3_600_000,
        abandon_at: now + 3_600_000,
        first_factor_verified_at: now,
        second_factor_verified_at: None,
        user_agent: None,
        ip_address: None,
        created_at: now,
        updated_at: now,
    }
}

#[tokio::main]
async fn main() -> Res<()> {
    let out_path = std::env::args()
        .nth(1)
        .ok_or("usage: org_claims OUT.json")?;
    let now = SystemClock.now_ms();
    let instance = Instance {
        id: usher_core::ids::InstanceId::from_stored(INSTANCE),
        environment: Environment::Production,
        frontend_host: HOST.into(),
        settings: InstanceSettings::default(),
        created_at: 0,
    };
    let (key, _) = SigningKey::generate(
        INSTANCE,
        &usher_core::ids::InstanceId::from_stored(INSTANCE),
        now,
    )?;
    let pem = key.public_pem();

    // A role with more distinct actions than a double holds exact integers (53 bits).
    let wide: Vec<String> = (0..60)
        .map(|i| format!("org:audit:action_{i:02}"))
        .chain(
            [
                "org:reports:action_59",
                "org:reports:action_07",
                "org:reports:action_00",
            ]
            .map(String::from),
        )
        .collect();
    let catalog = RoleCatalog::with_custom(
        INSTANCE,
        0,
        vec![
            custom_role(
                "org:billing",
                &[
                    "org:invoices:read".into(),
                    "org:invoices:create".into(),
                    "org:members:read".into(),
                    "org:reports2024:export".into(),
                    "org:sys_billing:manage".into(),
                ],
            ),
            custom_role(
                "org:team_lead2",
                &["org:members:manage".into(), "org:members:read".into()],
            ),
            custom_role("org:auditor", &wide),
            custom_role("org:viewer", &[]),
        ],
    );

    // Every role key and permission key the instance knows, plus ones it does not.
    let mut role_checks: Vec<String> = catalog.roles().iter().map(|r| r.key.clone()).collect();
    role_checks.extend(["org:owner".into(), "admin".into()]);
    let mut permission_checks: Vec<String> = catalog
        .roles()
        .iter()
        .flat_map(|r| r.permissions.iter().map(|p| p.key.clone()))
        .collect();
    permission_checks.extend(["org:invoices:delete".into(), "org:audit:action_60".into()]);
    permission_checks.sort();
    permission_checks.dedup();

    let verifier = Verifier::builder().jwt_key(&pem)?.build()?;
    let pk = publishable_key(instance.environment, HOST);
    let authenticator = Authenticator::builder(Verifier::builder().jwt_key(&pem)?.build()?)
        .publishable_key(&pk)?
        .build();
    let syncing = Authenticator::builder(
        Verifier::builder()
            .jwt_key(&pem)?
            .secret_key(SECRET_KEY)
            .build()?,
    )
    .publishable_key(&pk)?
    .handshake(true)
    .organization_sync(OrganizationSync::new(
        ORGANIZATION_PATTERNS,
        PERSONAL_ACCOUNT_PATTERNS,
    )?)
    .build();

    let mut cases = Vec::new();
    let mut members: Vec<(String, Option<ActiveOrganization>)> = catalog
        .roles()
        .iter()
        .enumerate()
        .map(|(i, role)| {
            let role = check_assignable(&catalog, "role", &role.key)?;
            Ok::<_, usher_core::CoreError>((
                format!("member with role {}", role.key),
                Some(ActiveOrganization {
                    id: format!("org_2orgclaims{i:018}"),
                    slug: format!("acme-{i}"),
                    role_key: role.key.clone(),
                    permissions: role.permissions.iter().map(|p| p.key.clone()).collect(),
                }),
            ))
        })
        .collect::<Result<_, _>>()?;
    members.push(("no active organization".into(), None));

    for (name, org) in members {
        let session = session(now, org.as_ref());
        let token = mint(
            &key,
            &MintRequest {
                instance: &instance,
                issuer: &instance.issuer(),
                session: &session,
                lifetime_secs: Some(3600),
                authorized_party: None,
                organization: org.as_ref(),
                custom_claims: None,
                entitlements: None,
                now,
            },
        )?;

        // What the role grants, independent of the encoding: the token carries every custom
        // permission of the role and no system permission.
        let granted: Vec<String> = org.as_ref().map_or_else(Vec::new, |o| {
            let mut p: Vec<String> = o
                .permissions
                .iter()
                .filter(|k| !k.starts_with("org:sys_"))
                .cloned()
                .collect();
            p.sort();
            p.dedup();
            p
        });
        let mut expected_has = serde_json::Map::new();
        for r in &role_checks {
            // Clerk's has() reads a role without `org:` as the same role with it.
            let wanted = if r.starts_with("org:") {
                r.clone()
            } else {
                format!("org:{r}")
            };
            let yes = org.as_ref().is_some_and(|o| o.role_key == wanted);
            expected_has.insert(format!("role:{r}"), Value::Bool(yes));
        }
        for p in &permission_checks {
            expected_has.insert(format!("permission:{p}"), Value::Bool(granted.contains(p)));
        }
        let expected = json!({
            "orgId": org.as_ref().map(|o| o.id.clone()),
            "orgRole": org.as_ref().map(|o| o.role_key.clone()),
            "orgSlug": org.as_ref().map(|o| o.slug.clone()),
            "orgPermissions": org.as_ref().map(|_| granted.clone()),
            "has": expected_has,
        });

        // usher-verify, both the bare verifier and the request authenticator.
        let s = verifier.verify_session_token_cached(&token)?;
        let mut headers = HeaderMap::new();
        headers.insert("authorization", format!("Bearer {token}").parse()?);
        let state = authenticator
            .authenticate(&Method::GET, &"/api".parse::<Uri>()?, &headers)
            .await;
        if state.status != Status::SignedIn {
            return Err(format!("{name}: usher-verify did not sign the request in").into());
        }
        let mut rust_has = serde_json::Map::new();
        for r in &role_checks {
            rust_has.insert(
                format!("role:{r}"),
                Value::Bool(s.has(&Has::role(r.clone()))),
            );
        }
        for p in &permission_checks {
            rust_has.insert(
                format!("permission:{p}"),
                Value::Bool(state.auth().has(&Has::permission(p.clone()))),
            );
        }
        let verify = json!({
            "orgId": s.org_id, "orgRole": s.org_role, "orgSlug": s.org_slug,
            "orgPermissions": s.org_permissions, "has": rust_has,
        });
        let mut paths = vec![
            "/dashboard".to_owned(),
            "/me".to_owned(),
            "/me/settings".to_owned(),
            "/orgs/elsewhere/settings".to_owned(),
            "/by-id/org_2elsewhere000000000000000000/x".to_owned(),
        ];
        if let Some(o) = &org {
            paths.push(format!("/orgs/{}", o.slug));
            paths.push(format!("/orgs/{}/settings", o.slug));
            paths.push(format!("/by-id/{}/x", o.id));
        }
        let mut sync = Vec::new();
        for path in &paths {
            sync.push(navigate(&syncing, &token, now / 1000, path).await?);
        }
        cases.push(json!({
            "name": name, "token": token, "iat": now / 1000, "expected": expected,
            "usherVerify": verify, "sync": sync,
        }));
    }

    let doc = json!({
        "pem": pem, "publishableKey": pk, "secretKey": SECRET_KEY,
        "organizationPatterns": ORGANIZATION_PATTERNS,
        "personalAccountPatterns": PERSONAL_ACCOUNT_PATTERNS,
        "cases": cases,
    });
    std::fs::write(&out_path, serde_json::to_vec_pretty(&doc)?)?;
    println!("org_claims: {} tokens written to {out_path}", cases.len());
    Ok(())
}
