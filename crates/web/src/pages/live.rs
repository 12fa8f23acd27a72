//! `GET /home/live?workspace=ID`: what a signed-in page shows live, as
//! server-sent events. `badge` carries the member's unread notification
//! count, `inbox` says the workspace's inbox changed; each is sent when its
//! value differs from the last one this stream sent (and once at the
//! start).
//!
//! The stream waits on the `herald_live` wake-up of its workspace (raised
//! after every commit that changes the inbox or the notifications, on
//! PostgreSQL from any process), with a poll every [`POLL`] as the safety
//! net wake-ups always have, and a comment every [`KEEP_ALIVE`] so proxies
//! keep the connection. It ends after [`LIFETIME`]: the browser reconnects
//! (with the session cookie, which is checked again), so a signed-out
//! session's stream does not outlive it by much. Browsers allow a handful
//! of connections per host over HTTP/1.1, so the script keeps one stream
//! per tab and closes it while the tab is hidden; the server also caps the
//! streams of one person ([`PER_USER`]).

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::{self, Stream};
use herald_accounts::Authorized;
use herald_core::UserId;
use herald_db::Subscription;
use herald_webhooks::inbox::{LIVE_CHANNEL, Pulse};
use tokio::time::Instant;

use crate::member::PageMember;
use crate::{AppState, WebError};

/// The longest a wake-up can be missed for.
pub const POLL: Duration = Duration::from_secs(30);
/// How often an idle stream sends a comment.
pub const KEEP_ALIVE: Duration = Duration::from_secs(20);
/// How long one stream lives before the browser reconnects.
pub const LIFETIME: Duration = Duration::from_secs(5 * 60);
/// How soon the browser reconnects after a stream ends.
const RETRY: Duration = Duration::from_secs(3);
/// The most streams one person holds at once (tabs, devices).
pub const PER_USER: usize = 8;

pub fn router() -> Router<AppState> {
    Router::new().route("/home/live", get(live_events))
}

/// How many streams each person holds, in this process.
#[derive(Clone, Default)]
pub struct Streams {
    open: Arc<Mutex<HashMap<UserId, usize>>>,
}

/// One admitted stream; gives its place back when dropped.
pub(crate) struct Admitted {
    streams: Streams,
    user: UserId,
}

impl Streams {
    /// A place for one more stream of `user`'s, if they hold fewer than
    /// [`PER_USER`].
    pub(crate) fn admit(&self, user: UserId) -> Option<Admitted> {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = open.entry(user).or_default();
        if *n >= PER_USER {
            return None;
        }
        *n += 1;
        Some(Admitted {
            streams: self.clone(),
            user,
        })
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self
            .streams
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = open.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.user);
            }
        }
    }
}

/// A stream's state between events.
struct Live {
    state: AppState,
    auth: Authorized,
    subscription: Subscription,
    pending: VecDeque<Event>,
    badge: Option<i64>,
    pulse: Option<Pulse>,
    started: bool,
    ends: Instant,
    _admitted: Admitted,
}

impl Live {
    /// The events for what changed since the last look; `None` when the
    /// services fail (the stream ends and the browser comes back).
    async fn look(&mut self) -> Option<()> {
        let badge = match self
            .state
            .webhooks()
            .notifications
            .unread_count(&self.auth)
            .await
        {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %crate::error::chain(&e), "the live stream could not count notifications");
                return None;
            }
        };
        let pulse = match self.state.inbox().pulse(&self.auth).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %crate::error::chain(&e), "the live stream could not read the inbox");
                return None;
            }
        };
        if self.badge != Some(badge) {
            let mut event = Event::default()
                .event("badge")
                .data(format!("{{\"unread\":{badge}}}"));
            if !self.started {
                event = event.retry(RETRY);
            }
            self.pending.push_back(event);
            self.badge = Some(badge);
        }
        if self.pulse != Some(pulse) {
            self.pending
                .push_back(Event::default().event("inbox").data(format!(
                    "{{\"items\":{},\"changed\":{}}}",
                    pulse.items, pulse.last_change
                )));
            self.pulse = Some(pulse);
        }
        self.started = true;
        Some(())
    }

    /// Waits for a wake-up, the poll or the end of the stream's life;
    /// `false` at the end.
    async fn wait(&self) -> bool {
        tokio::select! {
            () = self.subscription.notified() => true,
            () = tokio::time::sleep(POLL) => true,
            () = tokio::time::sleep_until(self.ends) => false,
        }
    }
}

fn events(live: Live) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(live, |mut live| async move {
        loop {
            if let Some(event) = live.pending.pop_front() {
                return Some((Ok(event), live));
            }
            if live.started && !live.wait().await {
                return None;
            }
            live.look().await?;
        }
    })
}

async fn live_events(
    State(state): State<AppState>,
    PageMember { auth, .. }: PageMember,
) -> Result<Response, WebError> {
    let Some(admitted) = state.live_streams().admit(auth.user()) else {
        // Too many tabs: this one polls later (EventSource retries).
        return Err(WebError::Account(
            herald_accounts::AccountError::RateLimited { retry_after: POLL },
        ));
    };
    let subscription = state
        .queue()
        .notifications()
        .subscribe(LIVE_CHANNEL, &auth.workspace().to_string());
    let live = Live {
        ends: Instant::now() + LIFETIME,
        state,
        auth,
        subscription,
        pending: VecDeque::new(),
        badge: None,
        pulse: None,
        started: false,
        _admitted: admitted,
    };
    let sse =
        Sse::new(events(live)).keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive"));
    Ok((
        [
            (header::CACHE_CONTROL, "no-store"),
            // Proxies that buffer answers (nginx) would hold the events.
            (header::HeaderName::from_static("x-accel-buffering"), "no"),
        ],
        sse,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_person_holds_a_bounded_number_of_streams_and_gets_them_back() {
        let streams = Streams::default();
        let held: Vec<Admitted> = (0..PER_USER)
            .map(|_| streams.admit(UserId(1)).expect("room"))
            .collect();
        assert!(streams.admit(UserId(1)).is_none(), "the cap holds");
        assert!(
            streams.admit(UserId(2)).is_some(),
            "others are not held back"
        );
        drop(held);
        let again = streams.admit(UserId(1));
        assert!(again.is_some(), "dropped streams free their place");
        assert_eq!(
            streams.open.lock().unwrap().get(&UserId(1)).copied(),
            Some(1)
        );
        drop(again);
        assert!(streams.open.lock().unwrap().is_empty());
    }
}
