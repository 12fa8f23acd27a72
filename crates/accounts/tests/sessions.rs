//! Session lifetimes with a hand-moved clock: the idle timeout, the
//! absolute timeout, and revocation, through the service on SQLite.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use herald_accounts::sessions::DbSessions;
use herald_accounts::{Accounts, BoxError, Letter, Mailbox, RequestMeta, Settings};
use herald_core::{ManualClock, SignedDuration, Timestamp};
use herald_db::Tx;
use herald_db::testing::TestDb;
use herald_ratelimit::InProcessLimiter;

/// Keeps the letters instead of queueing mail: this test is about sessions.
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

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

#[tokio::test]
async fn sessions_end_after_their_idle_and_absolute_timeouts() {
    let t = TestDb::sqlite().await;
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
    let meta = RequestMeta::default();
    accounts
        .sign_up("ida@example.com", PASSWORD, "Ida", "en", &meta)
        .await
        .unwrap();
    let letter = letters.0.lock().unwrap().last().cloned().unwrap();
    assert!(
        letter
            .link
            .starts_with("https://herald.example/verify-email?token="),
        "links use the public URL"
    );

    // Idle: seen every 6 days, it lives; 8 days unseen, it is gone.
    let (token, _) = accounts
        .log_in("ida@example.com", PASSWORD, &meta)
        .await
        .unwrap();
    for _ in 0..3 {
        clock.advance(days(6));
        assert!(accounts.session(token.expose()).await.unwrap().is_some());
    }
    clock.advance(days(8));
    assert!(
        accounts.session(token.expose()).await.unwrap().is_none(),
        "idle timeout"
    );

    // Absolute: even a session in daily use ends after 30 days.
    let (token, _) = accounts
        .log_in("ida@example.com", PASSWORD, &meta)
        .await
        .unwrap();
    for _ in 0..29 {
        clock.advance(days(1));
        assert!(accounts.session(token.expose()).await.unwrap().is_some());
    }
    clock.advance(days(1));
    assert!(
        accounts.session(token.expose()).await.unwrap().is_none(),
        "absolute timeout"
    );

    // Logging out ends exactly that session.
    let (a, _) = accounts
        .log_in("ida@example.com", PASSWORD, &meta)
        .await
        .unwrap();
    let (b, _) = accounts
        .log_in("ida@example.com", PASSWORD, &meta)
        .await
        .unwrap();
    let authed = accounts.session(a.expose()).await.unwrap().unwrap();
    assert_eq!(accounts.sessions(&authed).await.unwrap().len(), 2);
    accounts.log_out(&authed, &meta).await.unwrap();
    assert!(accounts.session(a.expose()).await.unwrap().is_none());
    assert!(accounts.session(b.expose()).await.unwrap().is_some());
}
