//! The checklist items judged from an application's source tree: pure functions over its files'
//! contents. Every result is a heuristic (what the text shows, not what the program does), says
//! so, and names its evidence as `file:line`.

use super::items::{Check, Status};

/// One file of the tree, read as text.
#[derive(Debug, Clone)]
pub struct AppFile {
    /// Relative to the tree's root, with `/`.
    pub path: String,
    pub text: String,
    /// A built client bundle or a static file served as is (`dist/`, `build/`, `public/`, …).
    pub bundle: bool,
}

impl AppFile {
    fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
    fn is_env(&self) -> bool {
        self.name().starts_with(".env")
    }
    fn is_test(&self) -> bool {
        let p = self.path.to_ascii_lowercase();
        p.contains(".test.")
            || p.contains(".spec.")
            || p.contains("__tests__/")
            || p.starts_with("test/")
            || p.starts_with("tests/")
            || p.contains("/test/")
            || p.contains("/tests/")
            || self.name().starts_with("test_")
    }
    /// Source the server or the browser runs (not configuration, bundles or tests).
    fn is_code(&self) -> bool {
        !self.bundle && !self.is_env() && !self.is_test() && !self.name().ends_with(".json")
    }
    fn lines(&self) -> impl Iterator<Item = (usize, &str)> {
        self.text.lines().enumerate().map(|(i, l)| (i + 1, l))
    }
    fn at(&self, line: usize) -> String {
        format!("{}:{line}", self.path)
    }
    /// The first line containing any of `needles`.
    fn first(&self, needles: &[&str]) -> Option<usize> {
        self.lines()
            .find(|(_, l)| needles.iter().any(|n| l.contains(n)))
            .map(|(n, _)| n)
    }
    fn mentions(&self, needles: &[&str]) -> bool {
        needles.iter().any(|n| self.text.contains(n))
    }
    /// `lines` lines from `from` (1-based), joined.
    fn window(&self, from: usize, lines: usize) -> String {
        self.text
            .lines()
            .skip(from.saturating_sub(1))
            .take(lines)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

const PUBLIC_PREFIXES: [&str; 5] = [
    "NEXT_PUBLIC_",
    "VITE_",
    "REACT_APP_",
    "PUBLIC_",
    "EXPO_PUBLIC_",
];
const SECRET_LITERALS: [&str; 2] = ["sk_live_", "sk_test_"];
const AUTH_MARKERS: [&str; 11] = [
    "requireAuth",
    "getAuth(",
    "clerkMiddleware",
    "auth()",
    "authenticateRequest",
    "authenticate_request",
    "usher-verify",
    "usher_verify",
    "verifyToken(",
    "currentUser(",
    "withAuth",
];
const SVIX_MARKERS: [&str; 3] = ["svix", "verifyWebhook", "Webhook("];
const SVIX_ID: [&str; 3] = ["svix-id", "svix_id", "svixId"];
const DEDUP_HINTS: [&str; 9] = [
    "idempot",
    "processed",
    "seen",
    "dedup",
    "already",
    "unique",
    "on conflict",
    "exists",
    "insert",
];
const ENV_READS: [&str; 5] = [
    "process.env",
    "import.meta.env",
    "os.environ",
    "getenv",
    "env(",
];

/// Every item the source can speak to.
pub fn check(files: &[AppFile]) -> Vec<Check> {
    let hooks: Vec<&AppFile> = files.iter().filter(|f| is_webhook(f)).collect();
    let mut out = vec![secret_keys(files), route_auth(files, &hooks)];
    out.extend(test_keys(files));
    out.extend(webhooks(files, &hooks));
    out.push(tenant_filter(files));
    out.push(roles(files));
    out.push(isolation_tests(files));
    out.push(audience(files));
    out
}

fn heuristic(id: u8, status: Status, reason: String, fix: &str, evidence: Vec<String>) -> Check {
    Check::new(id, status, format!("app (heuristic): {reason}"), fix).with_evidence(evidence)
}

/// A heuristic that passed: nothing to fix.
fn passed(id: u8, reason: String, evidence: Vec<String>) -> Check {
    heuristic(id, Status::Pass, reason, "", evidence)
}

/// A heuristic with nothing to judge in this app.
fn not_applicable(id: u8, reason: String) -> Check {
    heuristic(id, Status::NotApplicable, reason, "", vec![])
}

/// `NAME=value` of an env file's line.
fn env_pair(line: &str) -> Option<(&str, &str)> {
    let line = line.trim().trim_start_matches("export ");
    let (k, v) = line.split_once('=')?;
    Some((k.trim(), v.trim().trim_matches(['"', '\''])))
}

fn is_public_secret_name(s: &str) -> bool {
    PUBLIC_PREFIXES.iter().any(|p| {
        s.match_indices(p).any(|(i, _)| {
            let rest = s.get(i..).unwrap_or_default();
            let word: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            word.contains("SECRET")
        })
    })
}

fn is_client(f: &AppFile) -> bool {
    let head = f.window(1, 3);
    head.contains("'use client'") || head.contains("\"use client\"")
}

/// Item 1: the secret key under a public prefix, in client code or bundles, or written out.
fn secret_keys(files: &[AppFile]) -> Check {
    let mut found = Vec::new();
    for f in files {
        for (n, line) in f.lines() {
            let what = if f.is_env() {
                env_pair(line).and_then(|(k, v)| {
                    let public = PUBLIC_PREFIXES.iter().any(|p| k.starts_with(p));
                    let secret =
                        k.contains("SECRET") || SECRET_LITERALS.iter().any(|s| v.starts_with(s));
                    (public && secret).then(|| format!("{k} is public"))
                })
            } else if f.bundle && SECRET_LITERALS.iter().any(|s| line.contains(s)) {
                Some("a secret key in a client bundle or static file".to_owned())
            } else if f.bundle || f.is_test() {
                None
            } else if is_public_secret_name(line) {
                Some("a secret key read under a public prefix".to_owned())
            } else if is_client(f)
                && (line.contains("CLERK_SECRET_KEY") || line.contains("SECRET_KEY"))
            {
                Some("a secret key read in client code ('use client')".to_owned())
            } else if SECRET_LITERALS.iter().any(|s| line.contains(s)) {
                Some("a secret key written into the source".to_owned())
            } else {
                None
            };
            if let Some(what) = what {
                found.push(format!("{}: {what}", f.at(n)));
            }
        }
    }
    if found.is_empty() {
        passed(
            1,
            format!(
                "no secret key under a public prefix ({}), in client code or bundles, or written into {} file(s)",
                PUBLIC_PREFIXES.join(", "),
                files.len()
            ),
            vec![],
        )
    } else {
        heuristic(
            1,
            Status::Fail,
            format!(
                "the secret key can reach the browser or the repository ({} place(s))",
                found.len()
            ),
            "keep CLERK_SECRET_KEY server-side without a public prefix, read it from the environment, rotate it (usher keys rotate-secret --overlap 0s) and rebuild the bundles",
            found,
        )
    }
}

fn is_production_config(f: &AppFile) -> bool {
    let name = f.name().to_ascii_lowercase();
    name.starts_with(".env.production")
        || (f.path.to_ascii_lowercase().contains("production")
            && [".json", ".yaml", ".yml", ".toml", ".js", ".ts", ".env"]
                .iter()
                .any(|e| name.ends_with(e)))
}

/// Item 2: test keys in production configuration.
fn test_keys(files: &[AppFile]) -> Option<Check> {
    let prod: Vec<&AppFile> = files.iter().filter(|f| is_production_config(f)).collect();
    if prod.is_empty() {
        return None;
    }
    let found: Vec<String> = prod
        .iter()
        .flat_map(|f| {
            f.lines()
                .filter(|(_, l)| l.contains("pk_test_") || l.contains("sk_test_"))
                .map(|(n, _)| format!("{}: a test key", f.at(n)))
        })
        .collect();
    Some(if found.is_empty() {
        passed(
            2,
            format!(
                "{} production config file(s), no pk_test_/sk_test_ key",
                prod.len()
            ),
            vec![],
        )
    } else {
        heuristic(
            2,
            Status::Fail,
            "a test key in production configuration".into(),
            "put the production instance's pk_live_/sk_live_ keys in the production environment",
            found,
        )
    })
}

fn is_route_line(f: &AppFile, line: &str) -> bool {
    let l = line.trim_start();
    let express = ["app.", "router.", "server."].iter().any(|obj| {
        ["get(", "post(", "put(", "patch(", "delete(", "all("]
            .iter()
            .any(|m| l.contains(&format!("{obj}{m}")))
    }) && (l.contains("('/") || l.contains("(\"/") || l.contains("(`/"));
    let next = l.starts_with("export async function ") || l.starts_with("export function ");
    let next = next
        && ["GET", "POST", "PUT", "PATCH", "DELETE"]
            .iter()
            .any(|m| l.contains(&format!("function {m}(")));
    let pages_api = f.path.contains("pages/api/") && l.starts_with("export default");
    let python = l.starts_with("@app.") || l.starts_with("@router.") || l.starts_with("@bp.");
    let public = ["/health", "/public", "/sign-in", "/sign-up"]
        .iter()
        .any(|p| l.contains(p));
    (express || next || pages_api || python) && !public
}

/// Item 7: route handlers with no server-side verification in sight.
fn route_auth(files: &[AppFile], hooks: &[&AppFile]) -> Check {
    // Next.js: a root middleware that protects routes covers the route files.
    let middleware = files.iter().find(|f| {
        matches!(f.name(), "middleware.ts" | "middleware.js")
            && f.text.contains("clerkMiddleware")
            && f.text.contains("protect")
    });
    let mut open = Vec::new();
    let mut checked = 0;
    for f in files.iter().filter(|f| f.is_code()) {
        if hooks.iter().any(|h| h.path == f.path) {
            continue;
        }
        let Some((n, _)) = f.lines().find(|(_, l)| is_route_line(f, l)) else {
            continue;
        };
        checked += 1;
        let next_route = f.path.contains("pages/api/") || f.name().starts_with("route.");
        if f.mentions(&AUTH_MARKERS) || (next_route && middleware.is_some()) {
            continue;
        }
        open.push(format!(
            "{}: a route without requireAuth/getAuth/auth()/authenticateRequest",
            f.at(n)
        ));
    }
    if checked == 0 {
        return heuristic(
            7,
            Status::Unknown,
            "no route handlers recognised".into(),
            "usher audit --app on the server's source",
            vec![],
        );
    }
    if open.is_empty() {
        passed(
            7,
            format!("{checked} file(s) of routes, each verifying the session on the server"),
            vec![],
        )
    } else {
        heuristic(
            7,
            Status::Fail,
            format!(
                "{} of {checked} route file(s) verify no session on the server",
                open.len()
            ),
            "verify on the server before answering: requireAuth() / getAuth(req) (@clerk/express), auth() (@clerk/nextjs), authenticateRequest (@clerk/backend) or usher-verify",
            open,
        )
    }
}

fn is_webhook(f: &AppFile) -> bool {
    f.is_code()
        && (f.mentions(&[
            "/webhooks",
            "/webhook'",
            "/webhook\"",
            "user.created",
            "user.deleted",
        ]) || f.text.contains("svix"))
}

/// Items 9, 10, 11 and 12: the webhook handlers.
fn webhooks(files: &[AppFile], hooks: &[&AppFile]) -> Vec<Check> {
    let mut out = Vec::new();
    let literals: Vec<String> = files
        .iter()
        .filter(|f| f.is_code())
        .flat_map(|f| {
            f.lines()
                .filter(|(_, l)| l.contains("whsec_"))
                .map(|(n, _)| format!("{}: a whsec_ secret in the source", f.at(n)))
        })
        .collect();
    let first = |f: &AppFile| f.at(f.first(&["/webhook", "user.", "svix"]).unwrap_or(1));
    if hooks.is_empty() {
        if !literals.is_empty() {
            out.push(heuristic(10, Status::Fail, "a webhook secret written into the source".into(), "read it from the environment: new Webhook(process.env.CLERK_WEBHOOK_SIGNING_SECRET)", literals));
        }
        return out;
    }
    let unverified: Vec<String> = hooks
        .iter()
        .filter(|f| !f.mentions(&SVIX_MARKERS))
        .map(|f| format!("{}: no svix / verifyWebhook / Webhook(", first(f)))
        .collect();
    out.push(if unverified.is_empty() {
        passed(9, format!("{} webhook handler file(s), each verifying the Svix signature", hooks.len()), vec![])
    } else {
        heuristic(9, Status::Fail, "webhook handler(s) act on payloads without verifying the Svix signature".into(), "verify first: verifyWebhook(req) (@clerk/backend/webhooks) or new Webhook(secret).verify(body, headers) (svix), on the raw body", unverified)
    });
    let from_env = hooks.iter().all(|f| f.mentions(&ENV_READS));
    out.push(if !literals.is_empty() {
        heuristic(
            10,
            Status::Fail,
            "a webhook secret written into the source".into(),
            "read it from the environment: new Webhook(process.env.CLERK_WEBHOOK_SIGNING_SECRET)",
            literals,
        )
    } else if from_env {
        passed(
            10,
            "no whsec_ literal; the handlers read the environment".into(),
            vec![],
        )
    } else {
        heuristic(
            10,
            Status::Unknown,
            "no whsec_ literal, but no environment read seen in the handlers".into(),
            "read the secret from the environment (CLERK_WEBHOOK_SIGNING_SECRET)",
            vec![],
        )
    });
    let repeated: Vec<String> = hooks
        .iter()
        .filter(|f| {
            let lower = f.text.to_ascii_lowercase();
            !(f.mentions(&SVIX_ID) && DEDUP_HINTS.iter().any(|h| lower.contains(h)))
        })
        .map(|f| format!("{}: not keyed on svix-id", first(f)))
        .collect();
    out.push(if repeated.is_empty() {
        passed(11, "the handlers remember each svix-id they processed".into(), vec![])
    } else {
        heuristic(11, Status::Fail, "a redelivered event would be processed twice".into(), "record each svix-id header processed (a unique key) and answer 200 at once for one seen before", repeated)
    });
    out.push(deletion(hooks));
    out
}

/// Item 12: `user.deleted` handled by deleting or anonymising.
fn deletion(hooks: &[&AppFile]) -> Check {
    let fix = "handle user.deleted by deleting or anonymising the user's rows (within 24 h)";
    let mut handled = Vec::new();
    for f in hooks {
        for (n, _) in f.lines().filter(|(_, l)| l.contains("user.deleted")) {
            let after = f.window(n, 15).to_ascii_lowercase();
            let erases = ["delete", "anonymi", "destroy", "remove", "purge", "erase"]
                .iter()
                .any(|w| after.replace("user.deleted", "").contains(w));
            handled.push((f.at(n), erases));
        }
    }
    if handled.is_empty() {
        return heuristic(
            12,
            Status::Fail,
            "no webhook handler handles user.deleted".into(),
            fix,
            hooks.iter().map(|f| f.path.clone()).collect(),
        );
    }
    let erased: Vec<String> = handled
        .iter()
        .filter(|h| h.1)
        .map(|h| h.0.clone())
        .collect();
    if erased.is_empty() {
        heuristic(
            12,
            Status::Fail,
            "user.deleted is handled without deleting or anonymising anything".into(),
            fix,
            handled.into_iter().map(|h| h.0).collect(),
        )
    } else {
        passed(
            12,
            "user.deleted deletes or anonymises the user's data".into(),
            erased,
        )
    }
}

fn is_query(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    (l.contains("select ") && l.contains(" from "))
        || l.contains("delete from ")
        || (l.contains("update ") && l.contains(" set "))
        || [
            ".findmany(",
            ".findfirst(",
            ".findall(",
            ".find({",
            ".where(",
        ]
        .iter()
        .any(|m| l.contains(m))
}

/// Item 13: queries in files that deal with organizations, each filtered by tenant.
fn tenant_filter(files: &[AppFile]) -> Check {
    let tenant = [
        "org_id",
        "orgid",
        "organization_id",
        "user_id",
        "userid",
        "owner_id",
    ];
    let mut unfiltered = Vec::new();
    let mut seen = 0;
    for f in files.iter().filter(|f| f.is_code()) {
        let lower = f.text.to_ascii_lowercase();
        if !(lower.contains("orgid") || lower.contains("org_id") || lower.contains("organization"))
        {
            continue;
        }
        for (n, _) in f.lines().filter(|(_, l)| is_query(l)) {
            seen += 1;
            let stmt = f.window(n, 4).to_ascii_lowercase();
            if !tenant.iter().any(|t| stmt.contains(t)) {
                unfiltered.push(format!("{}: a query without org_id/user_id", f.at(n)));
            }
        }
    }
    let fix = "filter every query on tenant data by the token's org_id (orgId) and user_id (userId): WHERE org_id = $1";
    if seen == 0 {
        heuristic(
            13,
            Status::Unknown,
            "no database queries recognised in files dealing with organizations".into(),
            fix,
            vec![],
        )
    } else if unfiltered.is_empty() {
        passed(
            13,
            format!("{seen} quer(ies) in organization code, each filtered by tenant"),
            vec![],
        )
    } else {
        heuristic(
            13,
            Status::Fail,
            format!(
                "{} of {seen} quer(ies) in organization code filter by no tenant",
                unfiltered.len()
            ),
            fix,
            unfiltered,
        )
    }
}

/// Item 14: roles read from metadata instead of the token's `has()`.
fn roles(files: &[AppFile]) -> Check {
    let metadata_role = [
        "metadata.role",
        "metadata?.role",
        "metadata[\"role\"]",
        "metadata['role']",
        "metadata.get(\"role\")",
    ];
    let mut from_metadata = Vec::new();
    let mut from_token = Vec::new();
    for f in files.iter().filter(|f| f.is_code()) {
        for (n, line) in f.lines() {
            let l = line.to_ascii_lowercase();
            if metadata_role.iter().any(|m| l.contains(m)) {
                from_metadata.push(format!("{}: a role read from metadata", f.at(n)));
            } else if line.contains("has(")
                && (line.contains("role:") || line.contains("permission:"))
            {
                from_token.push(f.at(n));
            }
        }
    }
    if !from_metadata.is_empty() {
        heuristic(14, Status::Fail, "roles are read from user metadata, which the token does not vouch for per organization".into(), "check the active organization's role from the token: auth().has({ role: 'org:admin' }) or has({ permission: 'org:invoices:manage' })", from_metadata)
    } else if from_token.is_empty() {
        not_applicable(14, "no role checks recognised".into())
    } else {
        passed(
            14,
            format!("{} role check(s), all through has()", from_token.len()),
            from_token,
        )
    }
}

/// Item 15: a test that exercises two organizations.
fn isolation_tests(files: &[AppFile]) -> Check {
    let mut found = Vec::new();
    let tests: Vec<&AppFile> = files.iter().filter(|f| f.is_test() && !f.bundle).collect();
    for f in &tests {
        let lower = f.text.to_ascii_lowercase();
        let pairs = [("orga", "orgb"), ("org_a", "org_b"), ("org1", "org2")];
        let named = [
            "otherorg",
            "other_org",
            "other org",
            "another org",
            "cross-org",
            "cross_org",
            "crossorg",
        ];
        if pairs
            .iter()
            .any(|(a, b)| lower.contains(a) && lower.contains(b))
            || named.iter().any(|n| lower.contains(n))
        {
            found.push(f.path.clone());
        }
    }
    if found.is_empty() {
        heuristic(
            15,
            Status::Fail,
            format!(
                "none of {} test file(s) uses two organizations",
                tests.len()
            ),
            "add a test: a member of one organization asks for another's data and is refused (404/403)",
            vec![],
        )
    } else {
        passed(15, "a test uses two organizations".into(), found)
    }
}

/// Item 18's app half: tokens verified with jose or jsonwebtoken check `aud`.
fn audience(files: &[AppFile]) -> Check {
    let calls = [
        "jwtVerify(",
        "jwt.verify(",
        "jwt.decode(",
        "jsonwebtoken.verify(",
    ];
    let mut checked = Vec::new();
    let mut unchecked = Vec::new();
    for f in files.iter().filter(|f| f.is_code()) {
        for (n, _) in f
            .lines()
            .filter(|(_, l)| calls.iter().any(|c| l.contains(c)))
        {
            if f.window(n, 8).contains("audience") {
                checked.push(f.at(n));
            } else {
                unchecked.push(format!("{}: verified without audience", f.at(n)));
            }
        }
    }
    if !unchecked.is_empty() {
        heuristic(
            18,
            Status::Fail,
            "template tokens verified without checking aud".into(),
            "pass the expected audience: jwtVerify(token, jwks, { audience: 'billing-service', issuer }) / jwt.verify(token, key, { audience })",
            unchecked,
        )
    } else if checked.is_empty() {
        not_applicable(18, "no jose/jsonwebtoken verification recognised".into())
    } else {
        passed(
            18,
            format!("{} verification(s), each with an audience", checked.len()),
            checked,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> AppFile {
        AppFile {
            path: path.into(),
            text: text.into(),
            bundle: path.starts_with("dist/"),
        }
    }

    fn status(checks: &[Check], id: u8) -> (Status, String) {
        let c = checks.iter().find(|c| c.id == id).unwrap();
        (c.status, format!("{} {:?}", c.reason, c.evidence))
    }

    #[test]
    fn bad_sources_fail_with_their_lines() {
        let files = [
            file(".env.local", "NEXT_PUBLIC_CLERK_SECRET_KEY=sk_test_abc\n"),
            file(".env.production", "CLERK_PUBLISHABLE_KEY=pk_test_abc\n"),
            file("dist/app.js", "var k=\"sk_live_zzz\";"),
            file(
                "src/routes.js",
                "const x = 1;\napp.get('/api/notes', (req, res) => {\n  db.query('SELECT * FROM notes WHERE id = $1');\n  if (user.publicMetadata.role === 'admin') {}\n});\n// organization notes\n",
            ),
            file(
                "src/webhooks.js",
                "app.post('/webhooks', (req, res) => {\n  const secret = 'whsec_abc';\n  if (req.body.type === 'user.created') {}\n});\n",
            ),
            file(
                "src/verify.js",
                "const { payload } = await jwtVerify(token, jwks);\n",
            ),
            file("test/notes.test.js", "it('lists notes', () => {});\n"),
        ];
        let checks = check(&files);
        for (id, says) in [
            (1, ".env.local:1"),
            (1, "dist/app.js:1"),
            (2, ".env.production:1"),
            (7, "src/routes.js:2"),
            (9, "src/webhooks.js:1"),
            (10, "src/webhooks.js:2"),
            (11, "not keyed on svix-id"),
            (12, "no webhook handler handles user.deleted"),
            (13, "src/routes.js:3"),
            (14, "src/routes.js:4"),
            (15, "none of 1 test file"),
            (18, "src/verify.js:1"),
        ] {
            let (s, text) = status(&checks, id);
            assert_eq!(s, Status::Fail, "{id}: {text}");
            assert!(text.contains(says), "{id}: {text}");
            assert!(text.contains("heuristic"), "{id}");
        }
    }

    #[test]
    fn good_sources_pass() {
        let files = [
            file(
                ".env.production",
                "CLERK_SECRET_KEY=\nCLERK_PUBLISHABLE_KEY=pk_live_abc\n",
            ),
            file(
                "src/routes.js",
                "app.get('/api/notes', requireAuth(), (req, res) => {\n  const { orgId } = getAuth(req);\n  db.query('SELECT * FROM notes WHERE org_id = $1', [orgId]);\n  if (!has({ role: 'org:admin' })) {}\n});\n",
            ),
            file(
                "src/webhooks.js",
                "app.post('/webhooks', async (req, res) => {\n  const evt = await verifyWebhook(req, { signingSecret: process.env.CLERK_WEBHOOK_SIGNING_SECRET });\n  const svixId = req.headers['svix-id'];\n  if (await processed.has(svixId)) return;\n  if (evt.type === 'user.deleted') {\n    await db.query('DELETE FROM profiles WHERE user_id = $1');\n  }\n});\n",
            ),
            file(
                "src/verify.js",
                "await jwtVerify(token, jwks, { audience: 'billing' });\n",
            ),
            file(
                "test/isolation.test.js",
                "const orgA = 'org_a'; const orgB = 'org_b';\n",
            ),
        ];
        let checks = check(&files);
        for id in [1, 2, 7, 9, 10, 11, 12, 13, 14, 15, 18] {
            let (s, text) = status(&checks, id);
            assert_eq!(s, Status::Pass, "{id}: {text}");
        }
    }

    #[test]
    fn empty_trees_judge_nothing_falsely() {
        let checks = check(&[]);
        for (id, want) in [
            (7, Status::Unknown),
            (13, Status::Unknown),
            (14, Status::NotApplicable),
            (15, Status::Fail),
            (18, Status::NotApplicable),
        ] {
            assert_eq!(status(&checks, id).0, want, "{id}");
        }
        assert!(checks.iter().all(|c| ![2, 9, 10, 11, 12].contains(&c.id)));
    }
}
