//! Keeping tokens alive: renewing or checking them before they expire, and
//! flagging a connection whose token is dead.

use super::*;

impl Connections {
    /// Renews (or checks) the tokens of connection `id` if due; `force`
    /// renews even when not due. Runs once at a time per connection.
    pub async fn refresh(
        &self,
        id: &ConnectionId,
        force: bool,
    ) -> Result<Refreshed, PlatformError> {
        let db = &self.inner.db;
        let internal = |e: &dyn std::fmt::Display| {
            PlatformError::new(
                ProviderId::Facebook,
                ErrorKind::Unavailable,
                format!("storage: {e}"),
            )
        };
        let Some(row) = store::connection(db, id).await.map_err(|e| internal(&e))? else {
            return Ok(Refreshed::Gone);
        };
        let provider =
            ProviderId::parse(&row.provider).ok_or_else(|| internal(&"unknown provider"))?;
        let now = self.now();
        if row.status == Status::NeedsReconnection.as_str() && !force {
            return Ok(Refreshed::NeedsReconnection);
        }
        let due = next_refresh(provider, &row);
        if !force && due > now + SignedDuration::from_mins(1) {
            return Ok(Refreshed::NotDue { due });
        }
        if !store::lock_for_refresh(db, id, now, now + REFRESH_LOCK)
            .await
            .map_err(|e| internal(&e))?
        {
            return Ok(Refreshed::Busy);
        }
        // Read again under the lock: a refresh that finished meanwhile has
        // stored newer tokens (and rotated the refresh token we read).
        let Some(row) = store::connection(db, id).await.map_err(|e| internal(&e))? else {
            return Ok(Refreshed::Gone);
        };
        let due = next_refresh(provider, &row);
        if !force && due > now + SignedDuration::from_mins(1) {
            store::unlock(db, id).await.map_err(|e| internal(&e))?;
            return Ok(Refreshed::NotDue { due });
        }
        let kind = AccountKind::parse(&row.kind).ok_or_else(|| internal(&"unknown kind"))?;
        let credentials = match self.credentials_of(&row) {
            Ok(c) => c,
            Err(e) => {
                let _ = store::set_status(
                    db,
                    id,
                    Status::RefreshFailing.as_str(),
                    &StatusDetail::CredentialsUnreadable.to_stored(),
                    now,
                )
                .await;
                return Err(internal(&e));
            }
        };
        let Some(registered) = self.inner.providers.get(provider) else {
            let _ = store::set_status(
                db,
                id,
                Status::RefreshFailing.as_str(),
                &StatusDetail::ProviderUnconfigured.to_stored(),
                now,
            )
            .await;
            return Err(internal(&"provider not configured"));
        };
        match registered.connector.refresh(kind, &credentials).await {
            Ok(fresh) => {
                let now = self.now();
                let renewed = fresh.access_token != credentials.access_token;
                if renewed {
                    let (key_id, secrets) = self
                        .seal(
                            &Tokens {
                                access_token: fresh.access_token.clone(),
                                refresh_token: fresh.refresh_token.clone(),
                            },
                            id.as_str(),
                        )
                        .map_err(|e| internal(&e))?;
                    store::store_refreshed(
                        db,
                        id,
                        store::RenewedTokens {
                            key_id,
                            secrets: &secrets,
                            access_expires_at: fresh.access_expires_at,
                            refresh_expires_at: fresh.refresh_expires_at,
                            issued_at: fresh.issued_at,
                        },
                        now,
                    )
                    .await
                    .map_err(|e| internal(&e))?;
                } else {
                    store::store_checked(db, id, now)
                        .await
                        .map_err(|e| internal(&e))?;
                }
                let row = store::connection(db, id)
                    .await
                    .map_err(|e| internal(&e))?
                    .ok_or_else(|| internal(&"connection vanished"))?;
                let next = next_refresh(provider, &row).max(now);
                let mut tx = db.begin().await.map_err(|e| internal(&e))?;
                self.schedule_refresh(&mut tx, id, next)
                    .await
                    .map_err(|e| internal(&e))?;
                tx.commit().await.map_err(|e| internal(&e))?;
                if row.status != Status::Active.as_str() || renewed {
                    tracing::info!(connection = %id, %provider, renewed, next = %next, "token refresh succeeded");
                }
                // The token works: a subscription never asked for (a
                // connection older than subscribing) or given up on is
                // asked for again.
                if matches!(
                    Webhooks::from_stored(&row.webhooks, provider),
                    Webhooks::Pending | Webhooks::Failed { .. }
                ) {
                    self.queue_subscription(id, now).await;
                }
                Ok(if renewed {
                    Refreshed::Renewed { next }
                } else {
                    Refreshed::Checked { next }
                })
            }
            Err(e) if matches!(e.kind, ErrorKind::Reconnect | ErrorKind::Reconsent { .. }) => {
                let detail = e.to_string();
                self.flag_needs_reconnection(&row, &StatusDetail::platform(&e), &detail)
                    .await
                    .map_err(|err| internal(&err))?;
                tracing::warn!(connection = %id, %provider, error = %e, "token is dead: connection needs reconnection");
                self.inner
                    .accounts
                    .audit(
                        AuditEvent {
                            workspace: Some(row.workspace_id),
                            subject: Some(id.as_str()),
                            detail: &detail,
                            ..AuditEvent::new("connection.needs_reconnection", "failure")
                        },
                        &RequestMeta::default(),
                    )
                    .await;
                Ok(Refreshed::NeedsReconnection)
            }
            Err(e) => {
                let detail = e.to_string();
                let stored = StatusDetail::platform(&e).to_stored();
                store::set_status(db, id, Status::RefreshFailing.as_str(), &stored, self.now())
                    .await
                    .map_err(|err| internal(&err))?;
                if row.status == Status::Active.as_str() {
                    self.inner
                        .accounts
                        .audit(
                            AuditEvent {
                                workspace: Some(row.workspace_id),
                                subject: Some(id.as_str()),
                                detail: &detail,
                                ..AuditEvent::new("connection.refresh_failing", "failure")
                            },
                            &RequestMeta::default(),
                        )
                        .await;
                }
                Err(e)
            }
        }
    }

    /// Marks a connection as needing the person (`why`, shown to them),
    /// and appends the `connection.needs_reconnection` event in the same
    /// transaction (its `reason`: `detail`, the platform's answer): the
    /// event exists exactly when the flag does.
    async fn flag_needs_reconnection(
        &self,
        row: &ConnectionRow,
        why: &StatusDetail,
        detail: &str,
    ) -> Result<(), FlagError> {
        let now = self.now();
        let mut tx = self.inner.db.begin().await?;
        store::set_status_in(
            &mut tx,
            &row.id,
            Status::NeedsReconnection.as_str(),
            &why.to_stored(),
            now,
        )
        .await?;
        let event = herald_events::Event::new(
            herald_events::Subject::parse(NEEDS_RECONNECTION_SUBJECT).expect("a valid subject"),
            serde_json::json!({
                "workspace_id": row.workspace_id,
                "connection_id": row.id,
                "provider": row.provider,
                "name": row.name,
                "reason": detail,
            }),
            now,
        );
        self.inner.outbox.append(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The subject of the event appended when a connection's token turns out
/// to be dead (payload: `workspace_id`, `connection_id`, `provider`,
/// `name`, `reason`).
pub const NEEDS_RECONNECTION_SUBJECT: &str = "connection.needs_reconnection";

/// Why flagging a connection failed.
#[derive(Debug, thiserror::Error)]
enum FlagError {
    #[error("storage failed")]
    Db(#[from] DbError),
    #[error("the event could not be appended")]
    Event(#[from] herald_events::EventsError),
}

/// When a connection's token should next be renewed (or checked).
/// A time in the past means "now".
pub(super) fn next_refresh(provider: ProviderId, row: &ConnectionRow) -> Timestamp {
    let Some(expires) = row.access_expires_at.map(Timestamp::from) else {
        return row.refreshed_at.unwrap_or(row.issued_at).0 + CHECK_EVERY;
    };
    let issued = row.issued_at.0;
    let lifetime = expires.duration_since(issued);
    let lead = (lifetime / 10).max(MIN_LEAD);
    let mut at = expires - lead;
    if provider == ProviderId::Instagram {
        at = at.max(issued + INSTAGRAM_MIN_AGE + SignedDuration::from_mins(1));
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(issued: Timestamp, expires: Option<Timestamp>) -> ConnectionRow {
        ConnectionRow {
            id: "c".into(),
            workspace_id: WorkspaceId(1),
            provider: "tiktok".into(),
            kind: "tiktok_user".into(),
            remote_id: "r".into(),
            platform_user_id: String::new(),
            name: String::new(),
            handle: None,
            avatar_url: None,
            parent: None,
            scopes: String::new(),
            status: "active".into(),
            status_detail: String::new(),
            key_id: 1,
            secrets: String::new(),
            access_expires_at: expires.map(DbTime),
            refresh_expires_at: None,
            issued_at: DbTime(issued),
            refreshed_at: None,
            created_at: DbTime::from_micros(0),
            updated_at: DbTime::from_micros(0),
            revoked_at: None,
            sandbox: false,
            webhooks: String::new(),
            webhooks_checked_at: None,
        }
    }

    #[test]
    fn refreshes_come_a_tenth_of_the_lifetime_early() {
        let t0: Timestamp = "2026-11-24T00:00:00Z".parse().unwrap();
        let day = SignedDuration::from_hours(24);
        let r = row(t0, Some(t0 + day));
        assert_eq!(next_refresh(ProviderId::TikTok, &r), t0 + day - day / 10);
        // Google's hour-long tokens: six minutes early.
        let hour = SignedDuration::from_secs(3599);
        let r = row(t0, Some(t0 + hour));
        assert!(next_refresh(ProviderId::YouTube, &r) <= t0 + hour - SignedDuration::from_mins(5));
        // Tokens without expiry are checked daily.
        assert_eq!(
            next_refresh(ProviderId::Facebook, &row(t0, None)),
            t0 + CHECK_EVERY
        );
    }

    #[test]
    fn instagram_tokens_are_not_renewed_before_a_day() {
        let t0: Timestamp = "2026-11-24T00:00:00Z".parse().unwrap();
        // A short lifetime would put the refresh inside the first day.
        let r = row(t0, Some(t0 + SignedDuration::from_hours(25)));
        assert!(next_refresh(ProviderId::Instagram, &r) > t0 + SignedDuration::from_hours(24));
    }
}
