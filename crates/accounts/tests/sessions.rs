//! Lifetimes with a hand-moved clock, through the service on SQLite:
//! sessions (idle and absolute timeouts, revocation), e-mail tokens
//! (single use, short-lived, replaced by a re-send) and a refresh that
//! fails midway.

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
        .sign_up(
            "ida@example.com",
            PASSWORD,
            "Ida",
            "en",
            "2026-12-07",
            &meta,
        )
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

/// The service on a test database and a hand-moved clock, keeping letters.
async fn service() -> (TestDb, Arc<ManualClock>, Arc<Letters>, Accounts) {
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
    (t, clock, letters, accounts)
}

/// The token of the newest letter's link.
fn last_token(letters: &Letters) -> String {
    let link = letters.0.lock().unwrap().last().cloned().unwrap().link;
    link.split("token=").nth(1).unwrap().to_owned()
}

#[tokio::test]
async fn e_mail_tokens_are_long_single_use_short_lived_and_replaced_by_a_resend() {
    let (t, clock, letters, accounts) = service().await;
    let meta = RequestMeta::default();
    accounts
        .sign_up(
            "eve@example.com",
            PASSWORD,
            "Eve",
            "en",
            "2026-12-07",
            &meta,
        )
        .await
        .unwrap();
    let first = last_token(&letters);
    // 256 random bits, URL-safe; only a hash is stored.
    assert_eq!(first.len(), 43, "{first}");
    let stored: Vec<String> = herald_db::on_pool!(&t.db, |pool| {
        sqlx::query_scalar("SELECT token_hash FROM email_tokens")
            .fetch_all(pool)
            .await
            .unwrap()
    });
    assert!(!stored.iter().any(|h| h.contains(&first)));

    // A re-send makes the first link dead.
    let (_, user) = accounts
        .log_in("eve@example.com", PASSWORD, &meta)
        .await
        .unwrap();
    accounts.resend_verification(&user, &meta).await.unwrap();
    let second = last_token(&letters);
    assert_ne!(first, second);
    assert!(accounts.verify_email(&first, &meta).await.is_err());
    // Links live a day.
    clock.advance(SignedDuration::from_hours(25));
    assert!(accounts.verify_email(&second, &meta).await.is_err());
    accounts.resend_verification(&user, &meta).await.unwrap();
    let third = last_token(&letters);
    accounts.verify_email(&third, &meta).await.unwrap();
    assert!(
        accounts.verify_email(&third, &meta).await.is_err(),
        "single use"
    );

    // Reset links live 30 minutes, and the newest replaces the older.
    accounts
        .request_password_reset("eve@example.com", &meta)
        .await
        .unwrap();
    let reset = last_token(&letters);
    clock.advance(SignedDuration::from_mins(31));
    assert!(
        accounts
            .reset_password(&reset, "a new long password here", &meta)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_refresh_that_fails_midway_leaves_the_old_token_valid() {
    let (t, _clock, _letters, accounts) = service().await;
    let meta = RequestMeta::default();
    accounts
        .sign_up(
            "rae@example.com",
            PASSWORD,
            "Rae",
            "en",
            "2026-12-07",
            &meta,
        )
        .await
        .unwrap();
    let pair = accounts
        .grant_password(
            "rae@example.com",
            PASSWORD,
            "Phone",
            herald_accounts::DeviceKind::Mobile,
            &meta,
        )
        .await
        .unwrap();
    // Storing the new tokens fails, after the old one was marked used in
    // the same transaction.
    herald_db::on_pool!(&t.db, |pool| {
        sqlx::query(
            "CREATE TRIGGER no_new_refresh BEFORE INSERT ON refresh_tokens \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
        )
        .execute(pool)
        .await
        .unwrap();
    });
    assert!(
        accounts
            .refresh(pair.refresh_token.expose(), &meta)
            .await
            .is_err()
    );
    herald_db::on_pool!(&t.db, |pool| {
        sqlx::query("DROP TRIGGER no_new_refresh")
            .execute(pool)
            .await
            .unwrap();
    });
    // The whole change rolled back: the old token still refreshes, once.
    let next = accounts.refresh(pair.refresh_token.expose(), &meta).await;
    assert!(next.is_ok(), "{next:?}");
}
