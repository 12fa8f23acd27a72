//! Scoped access tokens through the service, on SQLite and PostgreSQL:
//! made, used, listed and revoked; never more than their maker's role;
//! pinned to their workspace; their use noted at most once a minute; their
//! actions audited as made through them.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use herald_accounts::sessions::DbSessions;
use herald_accounts::{
    AccountError, Accounts, Authorized, Bearer, BoxError, Letter, Mailbox, Permission, RequestMeta,
    Role, Scope, Scopes, Settings, TokenGrant, TokenKind, TokenRequest, User,
};
use herald_core::{Clock, ManualClock, SignedDuration, Timestamp, TokenId, WorkspaceId};
use herald_db::testing::TestDb;
use herald_db::{Tx, on_both_backends, on_pool};
use herald_ratelimit::InProcessLimiter;

#[derive(Default)]
struct Letters(Mutex<Vec<Letter>>);

#[async_trait]
impl Mailbox for Letters {
    async fn post(&self, _tx: &mut Tx, letter: Letter) -> Result<(), BoxError> {
        self.0.lock().unwrap().push(letter);
        Ok(())
    }
}

const PASSWORD: &str = "violet lantern across the fjord";

struct World {
    t: TestDb,
    clock: Arc<ManualClock>,
    letters: Arc<Letters>,
    accounts: Accounts,
    meta: RequestMeta,
}

impl World {
    fn new(t: TestDb) -> World {
        let clock = Arc::new(ManualClock::new(
            Timestamp::from_second(1_800_000_000).unwrap(),
        ));
        let letters = Arc::new(Letters::default());
        let accounts = Accounts::new(
            t.db.clone(),
            clock.clone(),
            Arc::new(InProcessLimiter::new(clock.clone())),
            Arc::new(DbSessions::new(t.db.clone())),
            letters.clone(),
            Settings::new("https://herald.example"),
        );
        World {
            t,
            clock,
            letters,
            accounts,
            meta: RequestMeta::new(Some("192.0.2.7".into()), Some("tests")),
        }
    }

    fn last_token(&self) -> String {
        let link = self.letters.0.lock().unwrap().last().cloned().unwrap().link;
        link.split("token=").nth(1).unwrap().to_owned()
    }

    /// A verified person, signed in; their personal workspace.
    async fn person(&self, email: &str) -> (User, WorkspaceId) {
        let a = &self.accounts;
        a.sign_up(email, PASSWORD, "", "en", "2026-12-07", &self.meta)
            .await
            .unwrap();
        a.verify_email(&self.last_token(), &self.meta)
            .await
            .unwrap();
        let (_, user) = a.log_in(email, PASSWORD, &self.meta).await.unwrap();
        let ws = a.workspaces(&user).await.unwrap()[0].id;
        (user, ws)
    }

    /// `member` joins `owner`'s workspace `ws` as `role`.
    async fn join(&self, owner: &User, ws: WorkspaceId, member: &User, role: Role) {
        self.accounts
            .invite(owner, ws, member.email.as_str(), role, &self.meta)
            .await
            .unwrap();
        self.accounts
            .accept_invite(member, &self.last_token(), &self.meta)
            .await
            .unwrap();
    }

    async fn proof(&self, user: &User, ws: WorkspaceId) -> Authorized {
        self.accounts
            .require(user, ws, Permission::View)
            .await
            .unwrap()
    }

    async fn make(
        &self,
        auth: &Authorized,
        name: &str,
        kind: &str,
        scopes: Option<&[&str]>,
    ) -> Result<(TokenId, String), AccountError> {
        let created = self
            .accounts
            .create_token(
                auth,
                TokenRequest {
                    name: name.into(),
                    kind: kind.into(),
                    scopes: scopes.map(|s| s.iter().map(|x| (*x).to_owned()).collect()),
                    expires_at: None,
                },
                &self.meta,
            )
            .await?;
        Ok((created.token.id, created.secret.expose().to_owned()))
    }

    async fn grant(&self, secret: &str) -> Option<Arc<TokenGrant>> {
        match self
            .accounts
            .authenticate_bearer(secret, &self.meta)
            .await
            .unwrap()
        {
            Some(Bearer::Token(_, grant)) => Some(Arc::new(grant)),
            Some(Bearer::Device(..)) => panic!("a scoped token read as a device's"),
            None => None,
        }
    }
}

fn invalid(result: Result<(TokenId, String), AccountError>) -> &'static str {
    match result {
        Err(AccountError::Invalid(code)) => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn tokens_are_made_used_listed_and_revoked_at_once(t: TestDb) {
    let w = World::new(t);
    let (owner, ws) = w.person("owner@example.com").await;
    let auth = w.proof(&owner, ws).await;
    let (id, secret) = w
        .make(&auth, "CI", "app", Some(&["posts:read", "drafts:write"]))
        .await
        .unwrap();
    assert!(
        secret.starts_with("hrld_app_") && secret.len() > 40,
        "{secret}"
    );
    // Only the hash is stored.
    let stored: Vec<String> = on_pool!(&w.t.db, |pool| {
        sqlx::query_scalar("SELECT token_hash FROM api_tokens")
            .fetch_all(pool)
            .await
            .unwrap()
    });
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&secret[9..]));

    let grant = w.grant(&secret).await.expect("a live token");
    assert_eq!(
        (grant.id, grant.kind, grant.workspace, grant.user),
        (id, TokenKind::App, ws, owner.id)
    );
    assert_eq!(grant.scopes.to_string(), "posts:read drafts:write");
    let proof = w
        .accounts
        .require_token(&grant, None, Permission::Draft)
        .await
        .unwrap();
    assert_eq!(proof.via().map(|g| g.id), Some(id));
    assert!(matches!(
        w.accounts
            .require_token(&grant, None, Permission::Publish)
            .await,
        Err(AccountError::InsufficientScope(Permission::Publish))
    ));

    let listed = w.accounts.tokens(&auth).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].id, listed[0].name.as_str()), (id, "CI"));
    assert!(listed[0].last_used_at.is_some(), "its use was noted");
    assert_eq!(listed[0].creator, "owner@example.com");

    // Tokens neither list, make nor revoke tokens.
    assert!(matches!(
        w.accounts.tokens(&proof).await,
        Err(AccountError::Forbidden)
    ));
    assert!(matches!(
        w.make(&proof, "child", "app", Some(&["posts:read"])).await,
        Err(AccountError::Forbidden)
    ));
    assert!(matches!(
        w.accounts.revoke_token(&proof, id, &w.meta).await,
        Err(AccountError::Forbidden)
    ));

    w.accounts.revoke_token(&auth, id, &w.meta).await.unwrap();
    assert!(w.grant(&secret).await.is_none(), "revoked at once");
    assert!(w.accounts.tokens(&auth).await.unwrap().is_empty());
    assert!(matches!(
        w.accounts.revoke_token(&auth, id, &w.meta).await,
        Err(AccountError::NotFound)
    ));
    // The name is free again.
    w.make(&auth, "CI", "app", Some(&["posts:read"]))
        .await
        .unwrap();
    // The purge takes the revoked one.
    assert_eq!(w.accounts.purge_expired().await.unwrap().api_tokens, 1);
}

async fn a_token_is_pinned_to_its_workspace_and_never_exceeds_its_makers_role(t: TestDb) {
    let w = World::new(t);
    let (owner, ws) = w.person("owner@example.com").await;
    let (ed, ed_home) = w.person("editor@example.com").await;
    w.join(&owner, ws, &ed, Role::Editor).await;
    let ed_auth = w.proof(&ed, ws).await;

    // An editor may not make a token that manages webhooks.
    assert!(matches!(
        w.make(&ed_auth, "hooks", "app", Some(&["webhooks:manage"]))
            .await,
        Err(AccountError::ScopeBeyondRole)
    ));
    let (_, secret) = w
        .make(&ed_auth, "writer", "personal", Some(&["posts:write"]))
        .await
        .unwrap();
    let grant = w.grant(&secret).await.unwrap();
    // Its own workspace, not the maker's others.
    assert!(matches!(
        w.accounts
            .require_token(&grant, Some(ed_home), Permission::View)
            .await,
        Err(AccountError::NotFound)
    ));
    let proof = w
        .accounts
        .require_token(&grant, Some(ws), Permission::Publish)
        .await
        .unwrap();
    assert!(proof.allows(Permission::Publish) && !proof.allows(Permission::ManageWebhooks));

    // Demoted to viewer: the same token may only look.
    w.accounts
        .change_role(&owner, ws, ed.id, Role::Viewer, &w.meta)
        .await
        .unwrap();
    let grant = w.grant(&secret).await.unwrap();
    assert!(matches!(
        w.accounts
            .require_token(&grant, None, Permission::Draft)
            .await,
        Err(AccountError::Forbidden)
    ));
    w.accounts
        .require_token(&grant, None, Permission::View)
        .await
        .unwrap();

    // Removed from the workspace: the token is revoked with the membership.
    w.accounts
        .remove_member(&owner, ws, ed.id, &w.meta)
        .await
        .unwrap();
    assert!(w.grant(&secret).await.is_none());
}

async fn members_see_and_revoke_their_own_tokens_and_admins_every_one(t: TestDb) {
    let w = World::new(t);
    let (owner, ws) = w.person("owner@example.com").await;
    let (contributor, _) = w.person("contrib@example.com").await;
    w.join(&owner, ws, &contributor, Role::Contributor).await;
    let owner_auth = w.proof(&owner, ws).await;
    let c_auth = w.proof(&contributor, ws).await;
    let (owners, _) = w
        .make(&owner_auth, "mine", "personal", Some(&["posts:read"]))
        .await
        .unwrap();
    let (theirs, secret) = w
        .make(&c_auth, "assistant", "assistant", None)
        .await
        .unwrap();
    assert!(secret.starts_with("hrld_ast_"));

    let seen = |list: Vec<herald_accounts::TokenView>| {
        let mut ids: Vec<TokenId> = list.into_iter().map(|t| t.id).collect();
        ids.sort();
        ids
    };
    assert_eq!(seen(w.accounts.tokens(&c_auth).await.unwrap()), [theirs]);
    assert_eq!(
        seen(w.accounts.tokens(&owner_auth).await.unwrap()),
        [owners, theirs]
    );
    assert!(matches!(
        w.accounts.revoke_token(&c_auth, owners, &w.meta).await,
        Err(AccountError::NotFound)
    ));
    w.accounts
        .revoke_token(&owner_auth, theirs, &w.meta)
        .await
        .unwrap();
    assert!(w.grant(&secret).await.is_none());
}

async fn requests_for_tokens_are_checked_field_by_field(t: TestDb) {
    let w = World::new(t);
    let (owner, ws) = w.person("owner@example.com").await;
    let auth = w.proof(&owner, ws).await;
    let read: Option<&[&str]> = Some(&["posts:read"]);
    assert_eq!(
        invalid(w.make(&auth, "  ", "app", read).await),
        "token_name_required"
    );
    assert_eq!(
        invalid(w.make(&auth, &"x".repeat(101), "app", read).await),
        "token_name_too_long"
    );
    assert_eq!(
        invalid(w.make(&auth, "a", "robot", read).await),
        "token_kind_unknown"
    );
    assert_eq!(
        invalid(w.make(&auth, "a", "app", Some(&["posts:fly"])).await),
        "token_scope_unknown"
    );
    assert_eq!(
        invalid(
            w.make(&auth, "a", "app", Some(&["posts:read", "posts:read"]))
                .await
        ),
        "token_scope_duplicate"
    );
    assert_eq!(
        invalid(w.make(&auth, "a", "app", None).await),
        "token_scopes_required"
    );
    assert_eq!(
        invalid(w.make(&auth, "a", "personal", Some(&[])).await),
        "token_scopes_required"
    );
    assert_eq!(
        invalid(
            w.make(&auth, "a", "assistant", Some(&["posts:approve"]))
                .await
        ),
        "token_scope_not_for_assistants"
    );
    let past = w.accounts.create_token(
        &auth,
        TokenRequest {
            name: "old".into(),
            kind: "app".into(),
            scopes: Some(vec!["posts:read".into()]),
            expires_at: Some(w.clock.now()),
        },
        &w.meta,
    );
    assert!(matches!(
        past.await,
        Err(AccountError::Invalid("token_expiry_past"))
    ));
    w.make(&auth, "dup", "app", read).await.unwrap();
    assert_eq!(
        invalid(w.make(&auth, "dup", "personal", read).await),
        "token_name_taken"
    );
    // Nothing was stored by the refusals.
    assert_eq!(w.accounts.tokens(&auth).await.unwrap().len(), 1);

    // An assistant gets the defaults; publishing only when asked for.
    let (_, secret) = w.make(&auth, "Claude", "assistant", None).await.unwrap();
    let grant = w.grant(&secret).await.unwrap();
    assert_eq!(grant.scopes, Scopes::ASSISTANT_DEFAULT);
    let (_, secret) = w
        .make(&auth, "Publisher", "assistant", Some(&["posts:write"]))
        .await
        .unwrap();
    assert!(
        w.grant(&secret)
            .await
            .unwrap()
            .scopes
            .contains(Scope::PostsWrite)
    );
}

async fn expired_tokens_stop_and_use_is_noted_at_most_once_a_minute(t: TestDb) {
    let w = World::new(t);
    let (owner, ws) = w.person("owner@example.com").await;
    let auth = w.proof(&owner, ws).await;
    let expires = w
        .clock
        .now()
        .checked_add(SignedDuration::from_hours(2))
        .unwrap();
    let created = w
        .accounts
        .create_token(
            &auth,
            TokenRequest {
                name: "short".into(),
                kind: "personal".into(),
                scopes: Some(vec!["posts:read".into()]),
                expires_at: Some(expires),
            },
            &w.meta,
        )
        .await
        .unwrap();
    let secret = created.secret.expose().to_owned();
    let last_used = || async { w.accounts.tokens(&auth).await.unwrap()[0].last_used_at };
    assert_eq!(last_used().await, None);
    w.grant(&secret).await.unwrap();
    let first = last_used().await.unwrap();
    w.clock.advance(SignedDuration::from_secs(30));
    w.grant(&secret).await.unwrap();
    assert_eq!(last_used().await, Some(first), "not again within a minute");
    w.clock.advance(SignedDuration::from_secs(31));
    w.grant(&secret).await.unwrap();
    assert_eq!(last_used().await, Some(w.clock.now()));

    w.clock.advance(SignedDuration::from_hours(2));
    assert!(w.grant(&secret).await.is_none(), "expired");
    assert!(w.accounts.tokens(&auth).await.unwrap()[0].expired);
    assert_eq!(w.accounts.purge_expired().await.unwrap().api_tokens, 1);
    assert!(w.accounts.tokens(&auth).await.unwrap().is_empty());
}

async fn failed_bearer_attempts_are_limited_per_client(t: TestDb) {
    let w = World::new(t);
    let (owner, ws) = w.person("owner@example.com").await;
    let auth = w.proof(&owner, ws).await;
    let (_, secret) = w
        .make(&auth, "good", "app", Some(&["posts:read"]))
        .await
        .unwrap();
    let mut refused = 0;
    for i in 0..40 {
        match w
            .accounts
            .authenticate_bearer(&format!("hrld_pat_guess{i}"), &w.meta)
            .await
        {
            Ok(None) => {}
            Err(AccountError::RateLimited { .. }) => refused += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(refused, 10, "30 failures, then 429");
    // A device-token guess counts too; another client is not held back,
    // and a good token still works.
    assert!(matches!(
        w.accounts.authenticate_bearer("not-a-token", &w.meta).await,
        Err(AccountError::RateLimited { .. })
    ));
    let elsewhere = RequestMeta::new(Some("198.51.100.1".into()), None);
    assert!(
        w.accounts
            .authenticate_bearer("hrld_app_guess", &elsewhere)
            .await
            .unwrap()
            .is_none()
    );
    assert!(w.grant(&secret).await.is_some());
}

async fn what_a_token_does_is_audited_as_done_through_it(t: TestDb) {
    let w = World::new(t);
    let (owner, ws) = w.person("owner@example.com").await;
    let auth = w.proof(&owner, ws).await;
    let (id, secret) = w.make(&auth, "Claude", "assistant", None).await.unwrap();
    let grant = w.grant(&secret).await.unwrap();
    let proof = w
        .accounts
        .require_token(&grant, None, Permission::Draft)
        .await
        .unwrap();
    let mut tx = w.t.db.begin().await.unwrap();
    herald_accounts::shared::record_member_event(
        &mut tx,
        w.clock.now(),
        &proof,
        "post.created",
        "post 1",
        "",
    )
    .await
    .unwrap();
    herald_accounts::shared::record_member_event(
        &mut tx,
        w.clock.now(),
        &auth,
        "post.updated",
        "post 1",
        "",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let log = w.accounts.audit_log(&owner, ws, 10).await.unwrap();
    let via = |action: &str| log.iter().find(|e| e.action == action).unwrap().via.clone();
    assert_eq!(via("post.created"), Some(format!("assistant:{id}:Claude")));
    assert_eq!(via("post.updated"), None);
    assert_eq!(via("token.create"), None);
}

on_both_backends!(
    tokens_are_made_used_listed_and_revoked_at_once,
    a_token_is_pinned_to_its_workspace_and_never_exceeds_its_makers_role,
    members_see_and_revoke_their_own_tokens_and_admins_every_one,
    requests_for_tokens_are_checked_field_by_field,
    expired_tokens_stop_and_use_is_noted_at_most_once_a_minute,
    failed_bearer_attempts_are_limited_per_client,
    what_a_token_does_is_audited_as_done_through_it,
);
