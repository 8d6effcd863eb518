//! The per-node session snapshot cache: for each session this node minted a token for while the
//! database answered, what that read said (the row a token needs, the custom claims it
//! rendered) and when, plus the digest of the browser's client secret that asked. Bounded by
//! count, least recently used out first. Nothing here is a secret that memory did not already
//! hold: the client's secret is kept as the SHA-256 digest the database keeps.
//!
//! Revocations learnt from the database (`Revocation`) remove entries and leave a tombstone, so
//! a read that began before the revocation was learnt cannot put the session back.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::sync::Mutex;

use serde_json::{Map, Value};
use usher_core::clock::Millis;
use usher_core::degraded::{Revocation, Snapshot};
use usher_core::ids::{ClientId, SessionId, UserId};

/// What is held for one session.
#[derive(Debug, Clone)]
pub struct Held {
    pub snapshot: Snapshot,
    /// The session token template's claims as rendered for the last token.
    pub custom: Option<Map<String, Value>>,
}

/// A browser client as a refresh authenticates it: the digest of its secret and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldClient {
    pub id: ClientId,
    pub dev_browser: bool,
}

/// A map bounded by count that forgets the least recently used key first.
struct Lru<K, V> {
    map: HashMap<K, (V, u64)>,
    order: BTreeMap<u64, K>,
    tick: u64,
    capacity: usize,
}

impl<K: Clone + Eq + Hash, V> Lru<K, V> {
    fn new(capacity: usize) -> Self {
        Self {
            map: HashMap::new(),
            order: BTreeMap::new(),
            tick: 0,
            capacity: capacity.max(1),
        }
    }

    fn get(&mut self, k: &K) -> Option<&mut V> {
        self.tick += 1;
        let tick = self.tick;
        let (v, used) = self.map.get_mut(k)?;
        self.order.remove(used);
        *used = tick;
        self.order.insert(tick, k.clone());
        Some(v)
    }

    fn insert(&mut self, k: K, v: V) {
        self.tick += 1;
        if let Some((_, used)) = self.map.insert(k.clone(), (v, self.tick)) {
            self.order.remove(&used);
        }
        self.order.insert(self.tick, k);
        while self.map.len() > self.capacity {
            match self.order.pop_first() {
                Some((_, oldest)) => {
                    self.map.remove(&oldest);
                }
                None => break,
            }
        }
    }

    fn remove(&mut self, k: &K) -> Option<V> {
        let (v, used) = self.map.remove(k)?;
        self.order.remove(&used);
        Some(v)
    }

    fn retain(&mut self, mut keep: impl FnMut(&V) -> bool) {
        let gone: Vec<K> = self
            .map
            .iter()
            .filter(|(_, (v, _))| !keep(v))
            .map(|(k, _)| k.clone())
            .collect();
        for k in gone {
            self.remove(&k);
        }
    }

    fn clear(&mut self) {
        self.map.clear();
        self.order.clear();
    }

    fn len(&self) -> usize {
        self.map.len()
    }
}

/// Tombstones are kept this long: far longer than any read on the refresh path can take (it is
/// abandoned after `degraded_mode_db_timeout_ms`, at most 30 s).
pub const TOMBSTONE_MS: Millis = 10 * 60_000;

struct Inner {
    sessions: Lru<SessionId, Held>,
    /// Client secret digest → client; `digests` is the reverse, so a client re-keyed at a
    /// sign-in forgets its earlier digest here too.
    clients: Lru<String, HeldClient>,
    digests: HashMap<ClientId, String>,
    revoked_sessions: HashMap<SessionId, Millis>,
    revoked_users: HashMap<UserId, Millis>,
    all_revoked_at: Millis,
}

pub struct SnapshotCache {
    inner: Mutex<Inner>,
}

impl SnapshotCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                sessions: Lru::new(capacity),
                clients: Lru::new(capacity),
                digests: HashMap::new(),
                revoked_sessions: HashMap::new(),
                revoked_users: HashMap::new(),
                all_revoked_at: Millis::MIN,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Holds what a read begun at `read_started_at` said, unless a revocation learnt since that
    /// moment names the session, its user, or every session. `client`: the digest of the
    /// browser's secret that asked, with its client.
    pub fn record(
        &self,
        held: Held,
        client: Option<(String, HeldClient)>,
        read_started_at: Millis,
    ) {
        let mut g = self.lock();
        let session = &held.snapshot.found.session;
        let revoked_since = |at: Option<&Millis>| at.is_some_and(|at| *at >= read_started_at);
        if g.all_revoked_at >= read_started_at
            || revoked_since(g.revoked_sessions.get(&session.id))
            || revoked_since(g.revoked_users.get(&session.user_id))
        {
            return;
        }
        if let Some((digest, c)) = client {
            if let Some(old) = g.digests.insert(c.id.clone(), digest.clone())
                && old != digest
            {
                g.clients.remove(&old);
            }
            g.clients.insert(digest, c);
        }
        let id = session.id.clone();
        g.sessions.insert(id, held);
    }

    /// Forgets a session the database no longer serves a token for (not found, not live).
    pub fn forget(&self, id: &SessionId) {
        self.lock().sessions.remove(id);
    }

    pub fn get(&self, id: &SessionId) -> Option<Held> {
        self.lock().sessions.get(id).cloned()
    }

    /// Applies `update` to the held session, if still held.
    pub fn update(&self, id: &SessionId, update: impl FnOnce(&mut Held)) {
        if let Some(h) = self.lock().sessions.get(id) {
            update(h);
        }
    }

    pub fn client(&self, digest: &str) -> Option<HeldClient> {
        self.lock().clients.get(&digest.to_owned()).cloned()
    }

    /// Withdraws what `revocation` names, learnt at `now`.
    pub fn revoke(&self, revocation: &Revocation, now: Millis) {
        let mut g = self.lock();
        match revocation {
            Revocation::Session(id) => {
                g.sessions.remove(id);
                g.revoked_sessions.insert(id.clone(), now);
            }
            Revocation::User(user) => {
                g.sessions
                    .retain(|h| &h.snapshot.found.session.user_id != user);
                g.revoked_users.insert(user.clone(), now);
            }
            Revocation::All => {
                g.sessions.clear();
                g.clients.clear();
                g.digests.clear();
                g.all_revoked_at = now;
            }
        }
    }

    /// Drops tombstones no read in flight can predate.
    pub fn prune(&self, now: Millis) {
        let mut g = self.lock();
        g.revoked_sessions.retain(|_, at| now - *at < TOMBSTONE_MS);
        g.revoked_users.retain(|_, at| now - *at < TOMBSTONE_MS);
        let Inner {
            clients, digests, ..
        } = &mut *g;
        digests.retain(|_, d| clients.map.contains_key(d));
    }

    pub fn len(&self) -> usize {
        self.lock().sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
