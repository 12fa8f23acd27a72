//! The engagement inbox on both engines: items from a signed webhook,
//! listed with filters and pages, threads with the post they belong to,
//! roles (reading, triage, answering), assignment only to members, notes,
//! done and read, actions performed once by the job (sent, refused with
//! the platform's code, retried when throttled, never repeated when the
//! outcome is unknown), text limits that change nothing, the live
//! wake-up, and YouTube comments polled once per slot.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use herald_accounts::{AccountError, Authorized, Permission};
use herald_core::{ConnectionId, PostId, Timestamp, UserId, WorkspaceId};
use herald_db::on_both_backends;
use herald_db::testing::TestDb;
use herald_jobs::{JobState, Registry, Worker, WorkerOptions};
use herald_platforms::engage::{
    Abilities, Acted, Action, CommentPage, EngageAccount, EngageError, EngageRefusal, Engager,
    Engagers, FetchedComment,
};
use herald_platforms::{AccountKind, ErrorKind, PlatformError, ProviderId, Secret};
use herald_webhooks::MetaApp;
use herald_webhooks::inbox::{
    AccountTokens, ActOnItem, ActionRequest, ActionState, Dependencies, DoneFilter, Filter, Inbox,
    InboxError, ItemKind, LIVE_CHANNEL, PostLink, PublishedPosts,
};

use crate::fixtures::{Env, ctx, ig_comment, instagram};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Answers the platform gives, in order; `Ok` with a made-up id once they
/// run out.
#[derive(Default)]
struct FakePlatform {
    kind: Option<AccountKind>,
    answers: Mutex<VecDeque<Result<Acted, EngageError>>>,
    calls: Mutex<Vec<(String, Action)>>,
    pages: Mutex<VecDeque<CommentPage>>,
}

struct FakeEngager(Arc<FakePlatform>);

#[async_trait]
impl Engager for FakeEngager {
    fn kind(&self) -> AccountKind {
        self.0.kind.expect("a kind")
    }

    fn abilities(&self) -> Abilities {
        Abilities {
            reply: true,
            private_reply: true,
            message: true,
            hide: true,
            delete: true,
        }
    }

    async fn act(&self, account: &EngageAccount, action: &Action) -> Result<Acted, EngageError> {
        assert_eq!(account.access_token.expose(), "token-of-the-account");
        let mut calls = self.0.calls.lock().unwrap();
        calls.push((account.account_id.clone(), action.clone()));
        let n = calls.len();
        drop(calls);
        self.0
            .answers
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| {
                Ok(Acted {
                    remote_id: Some(format!("remote-{n}")),
                })
            })
    }

    async fn comments(
        &self,
        _account: &EngageAccount,
        _page: Option<&str>,
    ) -> Result<CommentPage, EngageError> {
        Ok(self.0.pages.lock().unwrap().pop_front().unwrap_or_default())
    }
}

struct Tokens;

#[async_trait]
impl AccountTokens for Tokens {
    async fn access_token(&self, _: &ConnectionId) -> Result<Option<Secret>, BoxError> {
        Ok(Some(Secret::new("token-of-the-account")))
    }
}

/// Publishing, as far as the inbox asks it: media `media-1` is a post.
struct Posts;

#[async_trait]
impl PublishedPosts for Posts {
    async fn published_as(
        &self,
        _auth: &Authorized,
        _connection: &ConnectionId,
        remote_id: &str,
    ) -> Result<Option<PostLink>, BoxError> {
        Ok((remote_id == "media-1").then(|| PostLink {
            post_id: PostId("post-1".into()),
            caption: Some("Spring collection".into()),
            permalink: Some("https://instagram.example/p/1".into()),
            published_at: None,
        }))
    }
}

struct World {
    env: Env,
    inbox: Inbox,
    worker: Worker,
    instagram: Arc<FakePlatform>,
    youtube: Arc<FakePlatform>,
    ws: WorkspaceId,
    owner: UserId,
    ig: String,
}

async fn world(t: TestDb) -> World {
    let env = Env::new(t).await;
    let instagram = Arc::new(FakePlatform {
        kind: Some(AccountKind::InstagramAccount),
        ..FakePlatform::default()
    });
    let youtube = Arc::new(FakePlatform {
        kind: Some(AccountKind::YouTubeChannel),
        ..FakePlatform::default()
    });
    let mut engagers = Engagers::default();
    engagers.insert(Arc::new(FakeEngager(instagram.clone())));
    engagers.insert(Arc::new(FakeEngager(youtube.clone())));
    let inbox = Inbox::new(Dependencies {
        db: env.db().clone(),
        queue: env.queue.clone(),
        clock: env.clock.clone(),
        tokens: Arc::new(Tokens),
        posts: Arc::new(Posts),
        engagers,
    });
    let mut registry = Registry::new();
    env.inbound.register_jobs(&mut registry);
    inbox.register_jobs(&mut registry);
    let worker = Worker::new(env.queue.clone(), registry, WorkerOptions::default());
    let owner = env.user("ida@example.com", "Ida").await;
    let ws = env.workspace("Acme", &[owner]).await;
    env.exec(&format!(
        "UPDATE memberships SET role = 'owner' WHERE user_id = {}",
        owner.0
    ))
    .await;
    let ig = env
        .connect(
            ws,
            "instagram",
            "instagram_account",
            "ig-1",
            "pu-1",
            "Acme IG",
        )
        .await;
    World {
        env,
        inbox,
        worker,
        instagram,
        youtube,
        ws,
        owner,
        ig,
    }
}

impl World {
    async fn auth(&self, user: UserId) -> Authorized {
        self.env.auth(user, self.ws).await
    }

    async fn owner(&self) -> Authorized {
        self.auth(self.owner).await
    }

    /// A member of the workspace with `role`.
    async fn member(&self, email: &str, role: &str) -> UserId {
        let user = self.env.user(email, email).await;
        self.env
            .exec(&format!(
                "INSERT INTO memberships (workspace_id, user_id, role, created_at) \
                 VALUES ({}, {}, '{role}', 0)",
                self.ws.0, user.0
            ))
            .await;
        user
    }

    /// Instagram comments arriving by webhook; returns once processed.
    async fn comments(&self, comments: &[(&str, &str)]) {
        let changes = comments
            .iter()
            .map(|(id, text)| ig_comment(id, text, "ana"))
            .collect();
        let body = instagram(&[("ig-1", changes)]);
        self.env
            .post_to(MetaApp::Instagram, &self.env.instagram_secrets, &body)
            .await
            .unwrap();
        self.run().await;
    }

    async fn run(&self) -> usize {
        self.worker.run_due().await.unwrap()
    }

    async fn list(&self, auth: &Authorized, filter: Filter) -> Vec<String> {
        self.inbox
            .list(auth, &filter)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|i| i.remote_id)
            .collect()
    }

    async fn id_of(&self, remote: &str) -> i64 {
        let auth = self.owner().await;
        let all = Filter {
            state: DoneFilter::All,
            ..Filter::default()
        };
        self.inbox
            .list(&auth, &all)
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|i| i.remote_id == remote)
            .unwrap_or_else(|| panic!("no item {remote}"))
            .id
    }

    async fn count(&self, sql: &'static str) -> i64 {
        self.env.count(sql).await
    }
}

fn forbidden(e: InboxError) -> bool {
    matches!(e, InboxError::Access(AccountError::Forbidden))
}

async fn a_webhook_comment_is_listed_filtered_assigned_noted_and_done(t: TestDb) {
    let w = world(t).await;
    w.comments(&[("c-1", "Do you ship to Vienna?"), ("c-2", "Love it")])
        .await;
    let owner = w.owner().await;
    assert_eq!(w.list(&owner, Filter::default()).await, ["c-2", "c-1"]);
    let only_messages = Filter {
        kind: Some(ItemKind::Message),
        ..Filter::default()
    };
    assert!(w.list(&owner, only_messages).await.is_empty());
    let of_account = Filter {
        account: Some(ConnectionId(w.ig.clone())),
        ..Filter::default()
    };
    assert_eq!(w.list(&owner, of_account).await.len(), 2);

    // Pages, newest first.
    let page = w
        .inbox
        .list(
            &owner,
            &Filter {
                limit: Some(1),
                ..Filter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.items[0].remote_id, "c-2");
    let next = w
        .inbox
        .list(
            &owner,
            &Filter {
                limit: Some(1),
                before: page.next,
                ..Filter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(next.items[0].remote_id, "c-1");
    assert_eq!(next.next, None);

    // Reading is each member's own.
    let c1 = w.id_of("c-1").await;
    let unread = || Filter {
        unread: true,
        ..Filter::default()
    };
    w.inbox.mark_read(&owner, c1, true).await.unwrap();
    assert_eq!(w.list(&owner, unread()).await, ["c-2"]);
    let ben = w.member("ben@example.com", "editor").await;
    let ben_auth = w.auth(ben).await;
    assert_eq!(w.list(&ben_auth, unread()).await.len(), 2);

    // Assigned to a member only.
    let stranger = w.env.user("eve@example.com", "Eve").await;
    assert!(matches!(
        w.inbox.assign(&owner, c1, Some(stranger)).await,
        Err(InboxError::UnknownMember)
    ));
    let item = w.inbox.assign(&owner, c1, Some(ben)).await.unwrap();
    assert_eq!(
        item.assignee.map(|m| m.name),
        Some("ben@example.com".into())
    );
    let mine = || Filter {
        assigned_to_me: true,
        ..Filter::default()
    };
    assert_eq!(w.list(&ben_auth, mine()).await, ["c-1"]);
    assert!(w.list(&owner, mine()).await.is_empty());

    // Notes: not empty, not huge, and nothing changes when refused.
    assert!(matches!(
        w.inbox.add_note(&owner, c1, "  ").await,
        Err(InboxError::NoteRequired)
    ));
    assert!(matches!(
        w.inbox.add_note(&owner, c1, &"x".repeat(5001)).await,
        Err(InboxError::NoteTooLong)
    ));
    let note = w
        .inbox
        .add_note(&owner, c1, "Ben knows the shipping rates")
        .await
        .unwrap();
    assert_eq!(note.author.map(|a| a.name), Some("Ida".into()));

    // Done leaves the open list; reopening brings it back.
    w.inbox.set_done(&owner, c1, true).await.unwrap();
    assert_eq!(w.list(&owner, Filter::default()).await, ["c-2"]);
    let done = Filter {
        state: DoneFilter::Done,
        ..Filter::default()
    };
    assert_eq!(w.list(&owner, done).await, ["c-1"]);
    let thread = w.inbox.thread(&owner, c1).await.unwrap();
    assert_eq!(thread.notes.len(), 1);
    assert!(thread.item.done.is_some_and(|d| d.by.is_some()));
    assert_eq!(
        thread.post.map(|p| p.caption),
        Some(Some("Spring collection".into())),
        "the comment is on a post Herald published"
    );
    w.inbox.set_done(&owner, c1, false).await.unwrap();
    assert_eq!(w.list(&owner, Filter::default()).await.len(), 2);

    // Every change is audited, by whom.
    assert_eq!(
        w.count(
            "SELECT COUNT(*) FROM audit_events WHERE action IN \
             ('inbox.assign', 'inbox.note', 'inbox.done', 'inbox.reopen') AND actor_id IS NOT NULL"
        )
        .await,
        4
    );
}

async fn roles_decide_who_reads_works_and_answers_and_other_workspaces_see_nothing(t: TestDb) {
    let w = world(t).await;
    w.comments(&[("c-1", "hi")]).await;
    let c1 = w.id_of("c-1").await;
    let viewer = w.auth(w.member("vi@example.com", "viewer").await).await;
    let contributor = w
        .auth(w.member("co@example.com", "contributor").await)
        .await;
    let editor = w.auth(w.member("ed@example.com", "editor").await).await;
    let reply = || ActionRequest::Reply {
        text: "Thanks!".into(),
        private: false,
    };

    assert_eq!(w.list(&viewer, Filter::default()).await, ["c-1"]);
    w.inbox.thread(&viewer, c1).await.unwrap();
    w.inbox.mark_read(&viewer, c1, true).await.unwrap();
    assert!(forbidden(
        w.inbox.assign(&viewer, c1, None).await.unwrap_err()
    ));
    assert!(forbidden(
        w.inbox.add_note(&viewer, c1, "n").await.unwrap_err()
    ));
    assert!(forbidden(
        w.inbox.set_done(&viewer, c1, true).await.unwrap_err()
    ));
    assert!(forbidden(
        w.inbox.act(&viewer, c1, reply()).await.unwrap_err()
    ));

    w.inbox.add_note(&contributor, c1, "n").await.unwrap();
    w.inbox.set_done(&contributor, c1, true).await.unwrap();
    assert!(forbidden(
        w.inbox.act(&contributor, c1, reply()).await.unwrap_err()
    ));
    w.inbox.act(&editor, c1, reply()).await.unwrap();

    // Another workspace's member, with their own proof: not found.
    let other = w.env.user("zed@example.com", "Zed").await;
    let other_ws = w.env.workspace("Other", &[other]).await;
    let outsider = w.env.auth(other, other_ws).await;
    assert!(w.list(&outsider, Filter::default()).await.is_empty());
    for result in [
        w.inbox.thread(&outsider, c1).await.map(|_| ()),
        w.inbox.mark_read(&outsider, c1, true).await.map(|_| ()),
        w.inbox.assign(&outsider, c1, None).await.map(|_| ()),
        w.inbox.set_done(&outsider, c1, true).await.map(|_| ()),
        w.inbox.add_note(&outsider, c1, "n").await.map(|_| ()),
        w.inbox.act(&outsider, c1, reply()).await.map(|_| ()),
    ] {
        assert!(matches!(result, Err(InboxError::NotFound)), "{result:?}");
    }
    assert!(
        herald_accounts::shared::authorize(w.env.db(), other, w.ws, Permission::View)
            .await
            .is_err(),
        "no proof for a workspace one is not in"
    );
}

async fn a_reply_goes_out_once_and_a_refusal_keeps_the_platforms_code(t: TestDb) {
    let w = world(t).await;
    w.comments(&[("c-1", "Do you ship to Vienna?")]).await;
    let c1 = w.id_of("c-1").await;
    let owner = w.owner().await;
    let queued = w
        .inbox
        .act(
            &owner,
            c1,
            ActionRequest::Reply {
                text: "  Yes, in two days.  ".into(),
                private: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(queued.state, ActionState::Queued);
    assert_eq!(queued.text.as_deref(), Some("Yes, in two days."));
    assert_eq!(w.run().await, 1);
    assert_eq!(w.run().await, 0, "nothing left to run");
    let calls = w.instagram.calls.lock().unwrap().clone();
    assert_eq!(
        calls,
        [(
            "ig-1".to_owned(),
            Action::ReplyToComment {
                comment_id: "c-1".into(),
                text: "Yes, in two days.".into()
            }
        )]
    );
    let thread = w.inbox.thread(&owner, c1).await.unwrap();
    assert_eq!(thread.actions.len(), 1);
    assert_eq!(thread.actions[0].state, ActionState::Sent);
    assert_eq!(thread.actions[0].remote_id.as_deref(), Some("remote-1"));

    // Run again by hand (a re-run after a crash): nothing is sent twice.
    w.inbox
        .perform(&ActOnItem { action: queued.id }, &ctx(1, 2))
        .await
        .unwrap();
    assert_eq!(w.instagram.calls.lock().unwrap().len(), 1);

    // The platform's rule refuses the private reply: failed, with its code.
    w.instagram
        .answers
        .lock()
        .unwrap()
        .push_back(Err(EngageError::Refused(EngageRefusal::PrivateReplyUsed)));
    w.inbox
        .act(
            &owner,
            c1,
            ActionRequest::Reply {
                text: "Sent you the rates".into(),
                private: true,
            },
        )
        .await
        .unwrap();
    w.run().await;
    let thread = w.inbox.thread(&owner, c1).await.unwrap();
    let refused = &thread.actions[1];
    assert_eq!(refused.state, ActionState::Failed);
    assert_eq!(
        refused.failure.as_ref().map(|f| f.code.as_str()),
        Some("private_reply_used")
    );
    assert_eq!(
        w.count(
            "SELECT COUNT(*) FROM audit_events WHERE action IN ('inbox.reply', 'inbox.private_reply')"
        )
        .await,
        2
    );
    assert_eq!(
        w.count("SELECT COUNT(*) FROM audit_events WHERE action = 'inbox.reply.sent'")
            .await,
        1
    );
}

async fn an_action_whose_call_never_reported_back_is_not_repeated(t: TestDb) {
    let w = world(t).await;
    w.comments(&[("c-1", "hi")]).await;
    let c1 = w.id_of("c-1").await;
    let owner = w.owner().await;
    let action = w
        .inbox
        .act(
            &owner,
            c1,
            ActionRequest::Reply {
                text: "Hello".into(),
                private: false,
            },
        )
        .await
        .unwrap();
    // A worker marked the call in flight and died before it heard back.
    w.env
        .exec(&format!(
            "UPDATE inbox_actions SET sending_since = 1, attempts = 1 WHERE id = {}",
            action.id
        ))
        .await;
    w.run().await;
    assert!(
        w.instagram.calls.lock().unwrap().is_empty(),
        "never called again"
    );
    let thread = w.inbox.thread(&owner, c1).await.unwrap();
    assert_eq!(thread.actions[0].state, ActionState::Failed);
    assert_eq!(
        thread.actions[0].failure.as_ref().map(|f| f.code.as_str()),
        Some("outcome_unknown")
    );

    // The platform client saying so itself ends the same way.
    w.instagram
        .answers
        .lock()
        .unwrap()
        .push_back(Err(EngageError::Platform(PlatformError::new(
            ProviderId::Instagram,
            ErrorKind::OutcomeUnknown,
            "timed out after sending",
        ))));
    w.inbox
        .act(
            &owner,
            c1,
            ActionRequest::Reply {
                text: "Hello again".into(),
                private: false,
            },
        )
        .await
        .unwrap();
    w.run().await;
    assert_eq!(w.instagram.calls.lock().unwrap().len(), 1);
    let thread = w.inbox.thread(&owner, c1).await.unwrap();
    assert_eq!(
        thread.actions[1].failure.as_ref().map(|f| f.code.as_str()),
        Some("outcome_unknown")
    );
    assert_eq!(
        w.env
            .queue
            .list(JobState::Dead, None, 10)
            .await
            .unwrap()
            .len(),
        0,
        "an unknown outcome is an answer, not a dead job"
    );
}

async fn throttling_is_retried_and_refused_text_changes_nothing(t: TestDb) {
    let w = world(t).await;
    w.comments(&[("c-1", "hi")]).await;
    let c1 = w.id_of("c-1").await;
    let owner = w.owner().await;
    for (text, expected) in [("   ", "TextRequired"), (&*"é".repeat(2201), "TextTooLong")] {
        let err = w
            .inbox
            .act(
                &owner,
                c1,
                ActionRequest::Reply {
                    text: text.to_owned(),
                    private: false,
                },
            )
            .await
            .unwrap_err();
        assert!(format!("{err:?}").starts_with(expected), "{err:?}");
    }
    // 2200 characters (not bytes) is Instagram's limit, and fits.
    assert_eq!(w.count("SELECT COUNT(*) FROM inbox_actions").await, 0);
    assert_eq!(
        w.count("SELECT COUNT(*) FROM jobs WHERE kind = 'inbox.act.v1'")
            .await,
        0
    );

    w.instagram
        .answers
        .lock()
        .unwrap()
        .push_back(Err(EngageError::Platform(PlatformError::new(
            ProviderId::Instagram,
            ErrorKind::RateLimited { until: None },
            "slow down",
        ))));
    w.inbox
        .act(
            &owner,
            c1,
            ActionRequest::Reply {
                text: "é".repeat(2200),
                private: false,
            },
        )
        .await
        .unwrap();
    w.run().await;
    let thread = w.inbox.thread(&owner, c1).await.unwrap();
    assert_eq!(
        thread.actions[0].state,
        ActionState::Queued,
        "waits for the retry"
    );
    w.env.advance(Duration::from_secs(3600));
    w.run().await;
    let thread = w.inbox.thread(&owner, c1).await.unwrap();
    assert_eq!(thread.actions[0].state, ActionState::Sent);
    assert_eq!(w.instagram.calls.lock().unwrap().len(), 2);

    // Deleted on the platform, it offers nothing more.
    w.inbox
        .act(&owner, c1, ActionRequest::Delete)
        .await
        .unwrap();
    w.run().await;
    let thread = w.inbox.thread(&owner, c1).await.unwrap();
    assert!(thread.item.removed, "deleted on the platform");
    assert!(matches!(
        w.inbox
            .act(&owner, c1, ActionRequest::Hide { hidden: true })
            .await,
        Err(InboxError::Unsupported)
    ));
}

async fn hiding_changes_the_item_once_the_platform_did_it(t: TestDb) {
    let w = world(t).await;
    w.comments(&[("c-1", "spam")]).await;
    let c1 = w.id_of("c-1").await;
    let owner = w.owner().await;
    let thread = w.inbox.thread(&owner, c1).await.unwrap();
    assert!(thread.offered.hide && !thread.offered.unhide);
    w.inbox
        .act(&owner, c1, ActionRequest::Hide { hidden: true })
        .await
        .unwrap();
    assert!(!w.inbox.thread(&owner, c1).await.unwrap().item.hidden);
    w.run().await;
    let thread = w.inbox.thread(&owner, c1).await.unwrap();
    assert!(thread.item.hidden);
    assert!(thread.offered.unhide && !thread.offered.hide);
    assert_eq!(
        w.instagram.calls.lock().unwrap()[0].1,
        Action::HideComment {
            comment_id: "c-1".into(),
            hidden: true
        }
    );
}

async fn every_inbox_change_wakes_the_workspaces_live_stream(t: TestDb) {
    let w = world(t).await;
    let live = w
        .env
        .queue
        .notifications()
        .subscribe(LIVE_CHANNEL, &w.ws.to_string());
    let woken = || async {
        tokio::time::timeout(Duration::from_secs(5), live.notified())
            .await
            .is_ok()
    };
    w.comments(&[("c-1", "hi")]).await;
    assert!(woken().await, "a webhook item");
    let owner = w.owner().await;
    let c1 = w.id_of("c-1").await;
    let before = w.inbox.pulse(&owner).await.unwrap();
    w.env.advance(Duration::from_secs(1));
    w.inbox.assign(&owner, c1, Some(w.owner)).await.unwrap();
    assert!(woken().await, "an assignment");
    assert_ne!(w.inbox.pulse(&owner).await.unwrap(), before);
    w.inbox.add_note(&owner, c1, "n").await.unwrap();
    assert!(woken().await, "a note");
    w.inbox
        .act(
            &owner,
            c1,
            ActionRequest::Reply {
                text: "ok".into(),
                private: false,
            },
        )
        .await
        .unwrap();
    assert!(woken().await, "an action asked for");
    w.run().await;
    assert!(woken().await, "an action's outcome");
}

async fn youtube_comments_are_polled_once_per_slot_into_the_inbox_with_a_notice(t: TestDb) {
    let w = world(t).await;
    let channel = w
        .env
        .connect(w.ws, "youtube", "youtube_channel", "UC1", "g-1", "Acme TV")
        .await;
    let comment = |id: &str, own: bool| FetchedComment {
        remote_id: id.into(),
        parent_id: None,
        media_id: Some("video-1".into()),
        author_id: Some("viewer-1".into()),
        author_name: Some("Vi".into()),
        text: Some(format!("comment {id}")),
        created_at: Some(Timestamp::from_second(1_800_000_000).unwrap()),
        own,
    };
    w.youtube.pages.lock().unwrap().extend([
        CommentPage {
            comments: vec![comment("y-3", false), comment("y-2", true)],
            next: Some("p2".into()),
        },
        CommentPage {
            comments: vec![comment("y-1", false)],
            next: None,
        },
    ]);
    assert_eq!(w.inbox.sweep().await.unwrap(), 1);
    assert_eq!(w.inbox.sweep().await.unwrap(), 1);
    let polls: Vec<_> = w
        .env
        .queue
        .list(JobState::Queued, Some("inbox"), 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == "inbox.poll_account.v1")
        .collect();
    assert_eq!(polls.len(), 1, "one poll per channel and slot");
    w.run().await;
    let owner = w.owner().await;
    let of_channel = || Filter {
        account: Some(ConnectionId(channel.clone())),
        ..Filter::default()
    };
    assert_eq!(
        w.list(&owner, of_channel()).await,
        ["y-1", "y-3"],
        "the channel's own comment is not an item"
    );
    assert_eq!(
        w.count("SELECT COUNT(*) FROM notifications WHERE kind = 'comment' AND code = 'comment'")
            .await,
        1
    );

    // The next slot reads the newest page, stops at what it has, adds
    // nothing twice.
    w.youtube.pages.lock().unwrap().push_back(CommentPage {
        comments: vec![comment("y-4", false), comment("y-3", false)],
        next: Some("p2".into()),
    });
    w.env.advance(Duration::from_secs(600));
    assert_eq!(w.inbox.sweep().await.unwrap(), 1);
    w.run().await;
    assert_eq!(w.list(&owner, of_channel()).await, ["y-4", "y-1", "y-3"]);
    assert!(w.youtube.pages.lock().unwrap().is_empty());
}

on_both_backends!(
    a_webhook_comment_is_listed_filtered_assigned_noted_and_done,
    roles_decide_who_reads_works_and_answers_and_other_workspaces_see_nothing,
    a_reply_goes_out_once_and_a_refusal_keeps_the_platforms_code,
    an_action_whose_call_never_reported_back_is_not_repeated,
    throttling_is_retried_and_refused_text_changes_nothing,
    hiding_changes_the_item_once_the_platform_did_it,
    every_inbox_change_wakes_the_workspaces_live_stream,
    youtube_comments_are_polled_once_per_slot_into_the_inbox_with_a_notice,
);
