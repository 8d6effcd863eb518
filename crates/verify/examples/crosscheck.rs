//! Builds the token corpus for the cross-check with `@clerk/backend` (compat/verify-node) and
//! records what usher-verify decides for each token.
//!
//! Needs a running Usher (`compat/harness/start-usher.sh` exports `USHER_API_URL`,
//! `USHER_SECRET_KEY`, `USHER_PUBLISHABLE_KEY`, `USHER_JWT_KEY`). Writes JSON to the path given
//! as the first argument: the Node suite then runs every token through `authenticateRequest`
//! with the same options and asserts the same decision, the same reason and the same decoded
//! auth object.

use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256, RSA_PKCS1_SHA384};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use http::{HeaderMap, Method, Uri};
use serde_json::{Value, json};
use usher_verify::{Authenticator, Has, Status, Verifier};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn b64(d: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(d)
}

struct Key(KeyPair);

impl Key {
    fn pem(&self) -> Res<String> {
        let der = AsDer::<PublicKeyX509Der>::as_der(self.0.public_key())?;
        let b = STANDARD.encode(der.as_ref());
        let lines: Vec<String> = b
            .as_bytes()
            .chunks(64)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        Ok(format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            lines.join("\n")
        ))
    }
    fn sign(&self, header: &Value, payload: &Value) -> Res<String> {
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(payload.to_string().as_bytes())
        );
        let alg = if header["alg"] == "RS384" {
            &RSA_PKCS1_SHA384
        } else {
            &RSA_PKCS1_SHA256
        };
        let mut sig = vec![0; self.0.public_modulus_len()];
        self.0.sign(
            alg,
            &aws_lc_rs::rand::SystemRandom::new(),
            input.as_bytes(),
            &mut sig,
        )?;
        Ok(format!("{input}.{}", b64(&sig)))
    }
}

fn hs256(header: &Value, payload: &Value, secret: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes())
    );
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
    format!(
        "{input}.{}",
        b64(aws_lc_rs::hmac::sign(&key, input.as_bytes()).as_ref())
    )
}

fn checks() -> Vec<(String, Has)> {
    vec![
        ("role:org:admin".into(), Has::role("org:admin")),
        ("role:org:member".into(), Has::role("org:member")),
        ("role:admin".into(), Has::role("admin")),
        (
            "permission:org:members:manage".into(),
            Has::permission("org:members:manage"),
        ),
        (
            "permission:org:members:read".into(),
            Has::permission("org:members:read"),
        ),
        (
            "permission:org:billing:read".into(),
            Has::permission("org:billing:read"),
        ),
        ("feature:o:members".into(), Has::feature("o:members")),
        ("feature:members".into(), Has::feature("members")),
        ("feature:u:members".into(), Has::feature("u:members")),
        ("plan:o:pro".into(), Has::plan("o:pro")),
        ("plan:u:free_user".into(), Has::plan("u:free_user")),
        ("plan:pro".into(), Has::plan("pro")),
    ]
}

async fn decide(a: &Authenticator, token: &str) -> Res<Value> {
    let mut h = HeaderMap::new();
    h.insert("authorization", format!("Bearer {token}").parse()?);
    let uri: Uri = "/api".parse()?;
    let st = a.authenticate(&Method::GET, &uri, &h).await;
    let auth = st.auth();
    let status = match st.status {
        Status::SignedIn => "signed-in",
        Status::SignedOut => "signed-out",
        Status::Handshake => "handshake",
    };
    let mut out = json!({
        "status": status,
        "reason": st.reason.map(|r| r.as_str()),
        "isAuthenticated": auth.is_authenticated(),
        "sessionStatus": auth.session_status(),
    });
    if let Some(s) = auth.session() {
        out["auth"] = json!({
            "userId": s.user_id, "sessionId": s.session_id, "sessionStatus": s.session_status,
            "orgId": s.org_id, "orgRole": s.org_role, "orgSlug": s.org_slug,
            "orgPermissions": s.org_permissions, "factorVerificationAge": s.factor_verification_age,
            "actor": s.actor, "sessionClaims": s.claims(),
        });
        let has: serde_json::Map<String, Value> = checks()
            .into_iter()
            .map(|(k, c)| (k, Value::Bool(s.has(&c))))
            .collect();
        out["has"] = Value::Object(has);
    }
    Ok(out)
}

#[tokio::main]
async fn main() -> Res<()> {
    let out_path = std::env::args()
        .nth(1)
        .ok_or("usage: crosscheck OUT.json")?;
    let env = |k: &str| std::env::var(k).map_err(|_| format!("{k} is not set"));
    let (api_url, secret, pk, usher_pem) = (
        env("USHER_API_URL")?,
        env("USHER_SECRET_KEY")?,
        env("USHER_PUBLISHABLE_KEY")?,
        env("USHER_JWT_KEY")?,
    );
    let http = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        let req = http
            .post(format!("{api_url}{path}"))
            .bearer_auth(&secret)
            .json(&body);
        async move {
            Ok::<Value, Box<dyn std::error::Error>>(
                req.send().await?.error_for_status()?.json().await?,
            )
        }
    };
    let user = post("/v1/users", json!({"email_address": [format!("crosscheck-{}@verify.test", std::process::id())], "password": "correct-horse-9"})).await?;
    let session = post("/v1/sessions", json!({"user_id": user["id"]})).await?;
    let sid = session["id"].as_str().ok_or("no session id")?;
    let usher_token = post(&format!("/v1/sessions/{sid}/tokens"), json!({})).await?["jwt"]
        .as_str()
        .ok_or("no jwt")?
        .to_owned();

    let key = Key(KeyPair::generate(KeySize::Rsa2048)?);
    let other = Key(KeyPair::generate(KeySize::Rsa2048)?);
    let custom_pem = key.pem()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let hdr = json!({"alg": "RS256", "kid": "ins_custom", "typ": "JWT", "cat": "cl_B7d4PD111AAA"});
    let base = json!({
        "azp": "http://localhost:3000", "exp": now + 300, "fva": [3, -1], "iat": now, "iss": "https://clerk.example.com",
        "jti": "j1", "nbf": now - 10, "sid": "sess_cc", "sts": "active", "sub": "user_cc", "v": 2,
        "o": {"id": "org_cc", "rol": "admin", "slg": "acme", "per": "manage,read", "fpm": "3"},
        "fea": "o:members,u:export", "pla": "u:free_user,o:pro",
    });
    let with = |f: &dyn Fn(&mut Value)| {
        let mut c = base.clone();
        f(&mut c);
        c
    };
    let hdr_with = |f: &dyn Fn(&mut Value)| {
        let mut h = hdr.clone();
        f(&mut h);
        h
    };
    let rm = |k: &'static str| {
        move |c: &mut Value| {
            c.as_object_mut().map(|m| m.remove(k));
        }
    };

    let mut cases: Vec<(String, String, &str, Vec<&str>)> = Vec::new(); // name, token, key, authorized parties
    let mut add = |name: &str, token: String, keysrc: &'static str, ap: Vec<&'static str>| {
        cases.push((name.into(), token, keysrc, ap))
    };
    add(
        "v2 with organization",
        key.sign(&hdr, &base)?,
        "custom",
        vec![],
    );
    add(
        "v2 several features and bitmasks",
        key.sign(
            &hdr,
            &with(&|c| {
                c["fea"] = json!("o:members,u:export,o:billing,ou:reports");
                c["o"]["per"] = json!("manage,read,delete");
                c["o"]["fpm"] = json!("5,2,7");
            }),
        )?,
        "custom",
        vec![],
    );
    add(
        "v2 huge bitmask",
        key.sign(
            &hdr,
            &with(&|c| {
                c["o"]["fpm"] = json!("340282366920938463463374607431768211459");
            }),
        )?,
        "custom",
        vec![],
    );
    add(
        "v2 permissions with spaces",
        key.sign(
            &hdr,
            &with(&|c| {
                c["o"]["per"] = json!("manage, read");
                c["o"]["fpm"] = json!(" 2");
            }),
        )?,
        "custom",
        vec![],
    );
    add(
        "v2 without organization",
        key.sign(&hdr, &with(&rm("o")))?,
        "custom",
        vec![],
    );
    add(
        "v2 organization without role",
        key.sign(
            &hdr,
            &with(&|c| {
                c["o"].as_object_mut().map(|m| m.remove("rol"));
            }),
        )?,
        "custom",
        vec![],
    );
    add(
        "v1 organization claims",
        key.sign(
            &hdr,
            &with(&|c| {
                if let Some(m) = c.as_object_mut() {
                    m.remove("v");
                    m.remove("o");
                }
                c["org_id"] = json!("org_v1");
                c["org_role"] = json!("org:member");
                c["org_slug"] = json!("v1");
                c["org_permissions"] = json!(["org:members:read"]);
            }),
        )?,
        "custom",
        vec![],
    );
    add(
        "pending session",
        key.sign(&hdr, &with(&|c| c["sts"] = json!("pending")))?,
        "custom",
        vec![],
    );
    add(
        "impersonation actor",
        key.sign(
            &hdr,
            &with(&|c| c["act"] = json!({"sub": "user_admin", "iss": "https://dashboard"})),
        )?,
        "custom",
        vec![],
    );
    add(
        "custom claims and aud",
        key.sign(
            &hdr,
            &with(&|c| {
                c["role"] = json!("editor");
                c["aud"] = json!("anything");
            }),
        )?,
        "custom",
        vec![],
    );
    add(
        "other issuer",
        key.sign(
            &hdr,
            &with(&|c| c["iss"] = json!("https://elsewhere.example.com")),
        )?,
        "custom",
        vec![],
    );
    add(
        "no typ, no cat",
        key.sign(&json!({"alg": "RS256", "kid": "x"}), &base)?,
        "custom",
        vec![],
    );
    add(
        "minimal: sub and exp",
        key.sign(&hdr, &json!({"sub": "user_min", "exp": now + 300}))?,
        "custom",
        vec![],
    );
    add(
        "expired",
        key.sign(
            &hdr,
            &with(&|c| {
                c["exp"] = json!(now - 60);
                c["iat"] = json!(now - 120);
                c["nbf"] = json!(now - 130);
            }),
        )?,
        "custom",
        vec![],
    );
    add(
        "not yet valid",
        key.sign(&hdr, &with(&|c| c["nbf"] = json!(now + 120)))?,
        "custom",
        vec![],
    );
    add(
        "issued in the future",
        key.sign(&hdr, &with(&|c| c["iat"] = json!(now + 120)))?,
        "custom",
        vec![],
    );
    add(
        "no sub",
        key.sign(&hdr, &with(&rm("sub")))?,
        "custom",
        vec![],
    );
    add(
        "numeric sub",
        key.sign(&hdr, &with(&|c| c["sub"] = json!(42)))?,
        "custom",
        vec![],
    );
    add(
        "no exp",
        key.sign(&hdr, &with(&rm("exp")))?,
        "custom",
        vec![],
    );
    add(
        "string exp",
        key.sign(&hdr, &with(&|c| c["exp"] = json!("2099-01-01")))?,
        "custom",
        vec![],
    );
    add(
        "string nbf",
        key.sign(&hdr, &with(&|c| c["nbf"] = json!("soon")))?,
        "custom",
        vec![],
    );
    add(
        "null nbf",
        key.sign(&hdr, &with(&|c| c["nbf"] = Value::Null))?,
        "custom",
        vec![],
    );
    add(
        "null iat",
        key.sign(&hdr, &with(&|c| c["iat"] = Value::Null))?,
        "custom",
        vec![],
    );
    add(
        "fractional exp",
        key.sign(&hdr, &with(&|c| c["exp"] = json!(now as f64 + 300.75)))?,
        "custom",
        vec![],
    );
    add(
        "escaped strings",
        key.sign(
            &hdr,
            &with(&|c| {
                c["sub"] = json!("user_\"q\"\u{00e9}");
                c["o"]["slg"] = json!("a\\b");
            }),
        )?,
        "custom",
        vec![],
    );
    add(
        "azp allowed",
        key.sign(&hdr, &base)?,
        "custom",
        vec!["http://localhost:3000"],
    );
    add(
        "azp not allowed",
        key.sign(
            &hdr,
            &with(&|c| c["azp"] = json!("https://evil.example.com")),
        )?,
        "custom",
        vec!["http://localhost:3000"],
    );
    add(
        "azp missing",
        key.sign(&hdr, &with(&rm("azp")))?,
        "custom",
        vec!["http://localhost:3000"],
    );
    add(
        "tampered payload",
        {
            let t = key.sign(&hdr, &base)?;
            let mut p = t.split('.');
            let (h, _, s) = (
                p.next().unwrap_or_default(),
                p.next(),
                p.next().unwrap_or_default(),
            );
            format!(
                "{h}.{}.{s}",
                b64(with(&|c| c["sub"] = json!("user_admin"))
                    .to_string()
                    .as_bytes())
            )
        },
        "custom",
        vec![],
    );
    add("wrong key", other.sign(&hdr, &base)?, "custom", vec![]);
    add(
        "alg none",
        format!(
            "{}.{}.",
            b64(br#"{"alg":"none","typ":"JWT"}"#),
            b64(base.to_string().as_bytes())
        ),
        "custom",
        vec![],
    );
    add(
        "HS256 keyed with the public PEM",
        hs256(
            &hdr_with(&|h| h["alg"] = json!("HS256")),
            &base,
            custom_pem.as_bytes(),
        ),
        "custom",
        vec![],
    );
    add(
        "typ at+jwt (OAuth)",
        key.sign(&hdr_with(&|h| h["typ"] = json!("at+jwt")), &base)?,
        "custom",
        vec![],
    );
    add(
        "typ jwt lowercase",
        key.sign(&hdr_with(&|h| h["typ"] = json!("jwt")), &base)?,
        "custom",
        vec![],
    );
    add(
        "M2M category",
        key.sign(&hdr_with(&|h| h["cat"] = json!("cl_B7d4PD333AAA")), &base)?,
        "custom",
        vec![],
    );
    add(
        "JWT template category",
        key.sign(&hdr_with(&|h| h["cat"] = json!("cl_B7d4PD222AAA")), &base)?,
        "custom",
        vec![],
    );
    add(
        "M2M subject",
        key.sign(&hdr, &with(&|c| c["sub"] = json!("mch_123")))?,
        "custom",
        vec![],
    );
    add("not a JWT", "abc".into(), "custom", vec![]);
    add("two parts", "abc.def".into(), "custom", vec![]);
    add(
        "undecodable payload",
        format!("{}.@@@.AAAA", b64(hdr.to_string().as_bytes())),
        "custom",
        vec![],
    );
    add(
        "usher token (PEM)",
        usher_token.clone(),
        "usher-pem",
        vec![],
    );
    add(
        "usher token (JWKS)",
        usher_token.clone(),
        "usher-jwks",
        vec![],
    );
    add(
        "usher token, authorized parties required",
        usher_token.clone(),
        "usher-pem",
        vec!["http://localhost:3000"],
    );
    add(
        "usher token, unknown kid (JWKS)",
        key.sign(&hdr_with(&|h| h["kid"] = json!("ins_unknown")), &base)?,
        "usher-jwks",
        vec![],
    );
    add(
        "usher token tampered (JWKS)",
        {
            let mut p = usher_token.split('.');
            let (h, pl, s) = (
                p.next().unwrap_or_default(),
                p.next().unwrap_or_default(),
                p.next().unwrap_or_default(),
            );
            let mut claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(pl)?)?;
            claims["sub"] = json!("user_admin");
            format!("{h}.{}.{s}", b64(claims.to_string().as_bytes()))
        },
        "usher-jwks",
        vec![],
    );

    let mut out = Vec::new();
    for (name, token, keysrc, ap) in cases {
        let mut vb = Verifier::builder()
            .secret_key(&secret)
            .api_url(&api_url)
            .authorized_parties(ap.clone());
        vb = match keysrc {
            "custom" => vb.jwt_key(&custom_pem)?,
            "usher-pem" => vb.jwt_key(&usher_pem)?,
            _ => vb,
        };
        let a = Authenticator::builder(vb.build()?)
            .publishable_key(&pk)?
            .build();
        let rust = decide(&a, &token).await?;
        out.push(json!({"name": name, "token": token, "key": keysrc, "authorizedParties": ap, "rust": rust}));
    }
    let doc = json!({
        "customPem": custom_pem, "usherPem": usher_pem, "apiUrl": api_url, "secretKey": secret, "publishableKey": pk,
        "checks": checks().into_iter().map(|(k, _)| k).collect::<Vec<_>>(), "cases": out,
    });
    std::fs::write(&out_path, serde_json::to_vec_pretty(&doc)?)?;
    println!(
        "wrote {} cases to {out_path}",
        doc["cases"].as_array().map_or(0, Vec::len)
    );
    Ok(())
}
