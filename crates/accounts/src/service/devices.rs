//! Devices and their tokens for non-browser clients.

use super::*;

impl Accounts {
    async fn issue(
        &self,
        tx: &mut Tx,
        device: i64,
        now: Timestamp,
    ) -> Result<TokenPair, AccountError> {
        let pair = TokenPair {
            access_token: SecretToken(new_token()),
            refresh_token: SecretToken(new_token()),
            expires_in: self.settings.access_token_ttl,
            device_id: DeviceId(device),
        };
        self.store_pair(tx, &pair, now).await?;
        Ok(pair)
    }

    /// Stores the hashes of a new pair of a device's tokens.
    async fn store_pair(
        &self,
        tx: &mut Tx,
        pair: &TokenPair,
        now: Timestamp,
    ) -> Result<(), AccountError> {
        store::insert_device_token(
            tx,
            store::DeviceTokenTable::Access,
            &token_hash(&pair.access_token.0),
            pair.device_id,
            now,
            after(now, self.settings.access_token_ttl),
        )
        .await?;
        store::insert_device_token(
            tx,
            store::DeviceTokenTable::Refresh,
            &token_hash(&pair.refresh_token.0),
            pair.device_id,
            now,
            after(now, self.settings.refresh_token_ttl),
        )
        .await?;
        Ok(())
    }

    /// The password grant for first-party clients: a new device with an
    /// access token and the first refresh token of its family.
    pub async fn grant_password(
        &self,
        email: &str,
        password: &str,
        device_name: &str,
        kind: DeviceKind,
        meta: &RequestMeta,
    ) -> Result<TokenPair, AccountError> {
        let name: String = device_name.trim().chars().take(100).collect();
        if name.is_empty() {
            return Err(AccountError::Invalid("device_name_required"));
        }
        let user = self
            .check_credentials(email, password, meta, "token.password_grant")
            .await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let device =
            store::insert_device(&mut tx, user.id, &name, kind.as_str(), now, meta).await?;
        let pair = self.issue(&mut tx, device, now).await?;
        tx.commit().await?;
        self.audit(
            AuditEvent {
                actor: Some(user.id),
                subject: Some(&format!("device {device} ({name})")),
                ..AuditEvent::new("token.password_grant", "success")
            },
            meta,
        )
        .await;
        Ok(pair)
    }

    /// Rotates a refresh token. Presenting one that was already used means
    /// it leaked: the whole device (its family) is signed out.
    pub async fn refresh(
        &self,
        refresh_token: &str,
        meta: &RequestMeta,
    ) -> Result<TokenPair, AccountError> {
        self.limit(&limits::REFRESH_IP, meta.ip_key()).await?;
        let presented = refresh_token.trim();
        let hash = token_hash(presented);
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let Some(row) = store::refresh_token(&mut tx, &hash).await? else {
            tx.rollback().await?;
            return Err(AccountError::InvalidToken);
        };
        let device = store::device(&self.db, row.device_id.0)
            .await?
            .ok_or(AccountError::InvalidToken)?;
        let device_expired = after(device.created_at.0, self.settings.device_absolute) <= now;
        if device.revoked_at.is_some() || row.expires_at.0 <= now || device_expired {
            tx.rollback().await?;
            return Err(AccountError::InvalidToken);
        }
        let successor = self.successor(presented, device.id.0);
        if row.used_at.is_none() && store::use_refresh_token(&mut tx, &hash, now).await? {
            store::touch_device(
                &mut tx,
                device.id.0,
                now,
                meta.ip.as_deref(),
                meta.user_agent.as_deref(),
            )
            .await?;
            self.store_pair(&mut tx, &successor, now).await?;
            tx.commit().await?;
            return Ok(successor);
        }
        // Used already. Within the grace window, and while its successor
        // is unused, it is the same client asking twice (two requests at
        // once, or an answer lost on the way): the same successor again.
        let used_at = store::refresh_token(&mut tx, &hash)
            .await?
            .and_then(|r| r.used_at)
            .map(Timestamp::from);
        let in_grace = used_at.is_some_and(|at| now < after(at, self.settings.refresh_grace));
        let next = store::refresh_token(&mut tx, &token_hash(&successor.refresh_token.0)).await?;
        tx.rollback().await?;
        if in_grace && next.is_some_and(|n| n.used_at.is_none()) {
            return Ok(successor);
        }
        store::revoke_devices(&self.db, device.user_id, Some(device.id.0), now).await?;
        self.audit(
            AuditEvent {
                actor: Some(device.user_id),
                subject: Some(&format!("device {} ({})", device.id, device.name)),
                detail: "a used refresh token was presented; the device was signed out",
                ..AuditEvent::new("token.refresh_reused", "denied")
            },
            meta,
        )
        .await;
        Err(AccountError::TokenReused)
    }

    /// The tokens that follow `refresh_token`: derived from it under the
    /// deployment's key, so presenting it again within the grace window
    /// yields them again without storing them anywhere readable.
    pub(super) fn successor(&self, refresh_token: &str, device: i64) -> TokenPair {
        let derive = |label: &str| {
            crate::secret::sign(
                &self.settings.refresh_key,
                &format!("herald refresh successor v1|{label}|{refresh_token}"),
            )
        };
        TokenPair {
            access_token: SecretToken(derive("access")),
            refresh_token: SecretToken(derive("refresh")),
            expires_in: self.settings.access_token_ttl,
            device_id: DeviceId(device),
        }
    }

    /// Deletes what the privacy notice says is not kept: ended sessions,
    /// used or expired e-mail tokens, expired device tokens, signed-out or
    /// expired devices, accepted or expired invitations, revoked or
    /// expired scoped tokens, and audit events
    /// older than [`AUDIT_RETENTION`]. Run by the scheduled retention job.
    pub async fn purge_expired(&self) -> Result<Purged, AccountError> {
        let now = self.now();
        let before = |d: Duration| {
            now.checked_sub(SignedDuration::try_from(d).unwrap_or(SignedDuration::MAX))
                .unwrap_or(Timestamp::MIN)
        };
        let purged = Purged {
            sessions: self
                .sessions
                .purge(now, before(self.settings.session_idle))
                .await?,
            email_tokens: store::purge_email_tokens(&self.db, now).await?,
            device_tokens: store::purge_device_tokens(&self.db, now).await?,
            devices: store::purge_devices(&self.db, before(self.settings.device_absolute)).await?,
            invites: store::purge_invites(&self.db, now).await?,
            audit_events: store::purge_audit(&self.db, before(AUDIT_RETENTION)).await?,
            api_tokens: store::purge_api_tokens(&self.db, now).await?,
        };
        if purged != Purged::default() {
            tracing::info!(?purged, "purged expired account data");
        }
        Ok(purged)
    }

    /// The user and device behind an access token, if it is valid.
    pub async fn authenticate_access(
        &self,
        access_token: &str,
    ) -> Result<Option<(User, DeviceId)>, AccountError> {
        let Some(row) = store::access_token(&self.db, &token_hash(access_token.trim())).await?
        else {
            return Ok(None);
        };
        if row.revoked_at.is_some() || row.expires_at.0 <= self.now() {
            return Ok(None);
        }
        let Some(user) = store::user_by_id(&self.db, row.user_id.0).await? else {
            return Ok(None);
        };
        Ok(Some((User::from_row(user), row.device_id)))
    }

    pub async fn devices(&self, user: &User) -> Result<Vec<DeviceView>, AccountError> {
        Ok(store::devices_of(&self.db, user.id)
            .await?
            .into_iter()
            .map(|d| DeviceView {
                id: d.id,
                name: d.name,
                kind: d.kind,
                created_at: d.created_at.0,
                last_used_at: d.last_used_at.0,
                ip: d.ip,
                user_agent: d.user_agent,
            })
            .collect())
    }

    pub async fn revoke_device(
        &self,
        user: &User,
        device: DeviceId,
        meta: &RequestMeta,
    ) -> Result<(), AccountError> {
        if store::revoke_devices(&self.db, user.id, Some(device.0), self.now()).await? == 0 {
            return Err(AccountError::NotFound);
        }
        self.audit(
            AuditEvent {
                actor: Some(user.id),
                subject: Some(&format!("device {device}")),
                ..AuditEvent::new("device.revoke", "success")
            },
            meta,
        )
        .await;
        Ok(())
    }
}
