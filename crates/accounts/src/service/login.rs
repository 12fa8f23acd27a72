//! Passwords, logging in and out, sessions and password resets.

use super::*;

impl Accounts {
    /// Checks an e-mail address and password, with the rate limits and the
    /// same work for unknown addresses as for known ones.
    pub(super) async fn check_credentials(
        &self,
        email: &str,
        password: &str,
        meta: &RequestMeta,
        action: &str,
    ) -> Result<User, AccountError> {
        let normalised = email.trim().to_lowercase();
        // Limits are keyed by a hash: addresses stay out of Redis.
        let account_key = token_hash(&normalised);
        let account_ip_key = format!("{account_key}:{}", meta.ip_key());
        self.limit(&limits::LOGIN_IP, meta.ip_key()).await?;
        self.limit(&limits::LOGIN_ACCOUNT_IP, &account_ip_key)
            .await?;
        self.limit(&limits::LOGIN_ACCOUNT, &account_key).await?;
        let row = match EmailAddress::parse(email) {
            Ok(e) => store::user_by_email(&self.db, e.as_str()).await?,
            Err(_) => None,
        };
        let stored = row
            .as_ref()
            .map_or_else(|| password::DUMMY_HASH.clone(), |r| r.password_hash.clone());
        let attempt = password.to_owned();
        let verified = blocking(move || password::verify(&attempt, &stored)).await;
        let Some(row) = row else {
            self.audit(
                AuditEvent {
                    subject: Some(&normalised),
                    detail: "unknown address",
                    ..AuditEvent::new(action, "failure")
                },
                meta,
            )
            .await;
            return Err(AccountError::InvalidCredentials);
        };
        let user = User::from_row(row);
        match verified {
            Verified::No => {
                self.audit(
                    AuditEvent {
                        actor: Some(user.id),
                        subject: Some(user.email.as_str()),
                        detail: "wrong password",
                        ..AuditEvent::new(action, "failure")
                    },
                    meta,
                )
                .await;
                Err(AccountError::InvalidCredentials)
            }
            Verified::Yes | Verified::YesRehash => {
                if verified == Verified::YesRehash
                    && let Ok(pw) = NewPassword::parse(password, &[])
                {
                    let hash = blocking(move || password::hash(&pw)).await?;
                    let mut tx = self.db.begin().await?;
                    store::set_password_hash(&mut tx, user.id, &hash, self.now()).await?;
                    tx.commit().await?;
                }
                if let Err(e) = self
                    .limiter
                    .clear(&limits::LOGIN_ACCOUNT_IP, &self.limit_key(&account_ip_key))
                    .await
                {
                    tracing::warn!(error = %e, "could not clear the login limit");
                }
                Ok(user)
            }
        }
    }

    /// Signs in and opens a browser session; the token goes into the cookie.
    pub async fn log_in(
        &self,
        email: &str,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<(SecretToken, User), AccountError> {
        let user = self
            .check_credentials(email, password, meta, "login")
            .await?;
        let token = new_token();
        let now = self.now();
        self.sessions
            .insert(&SessionRecord {
                token_hash: token_hash(&token),
                user_id: user.id.0,
                created_at: now,
                last_seen_at: now,
                expires_at: after(now, self.settings.session_absolute),
                ip: meta.ip.clone(),
                user_agent: meta.user_agent.clone(),
            })
            .await?;
        self.audit(
            AuditEvent {
                actor: Some(user.id),
                subject: Some(user.email.as_str()),
                ..AuditEvent::new("login", "success")
            },
            meta,
        )
        .await;
        Ok((SecretToken(token), user))
    }

    /// The session a cookie value stands for, if it is still valid (not
    /// revoked, within its idle and absolute timeouts).
    pub async fn session(&self, token: &str) -> Result<Option<Authed>, AccountError> {
        let hash = token_hash(token);
        let Some(row) = self.sessions.get(&hash).await? else {
            return Ok(None);
        };
        let now = self.now();
        let last_seen = row.last_seen_at;
        let idle_ok = after(last_seen, self.settings.session_idle) > now;
        if row.expires_at <= now || !idle_ok {
            return Ok(None);
        }
        let Some(user) = store::user_by_id(&self.db, row.user_id).await? else {
            return Ok(None);
        };
        // Recording every request would make each page a write.
        if now.duration_since(last_seen) > SignedDuration::from_secs(60) {
            self.sessions.touch(&hash, now).await?;
        }
        Ok(Some(Authed {
            user: User::from_row(user),
            session_id: hash,
        }))
    }

    pub async fn log_out(&self, authed: &Authed, meta: &RequestMeta) -> Result<(), AccountError> {
        self.sessions
            .revoke(authed.user.id.0, Some(&authed.session_id), None, self.now())
            .await?;
        self.audit(
            AuditEvent {
                actor: Some(authed.user.id),
                ..AuditEvent::new("logout", "success")
            },
            meta,
        )
        .await;
        Ok(())
    }

    /// Ends every session and device of the user, this one included.
    pub async fn log_out_everywhere(
        &self,
        user: &User,
        meta: &RequestMeta,
    ) -> Result<(), AccountError> {
        let now = self.now();
        let sessions = self.sessions.revoke(user.id.0, None, None, now).await?;
        let devices = store::revoke_devices(&self.db, user.id, None, now).await?;
        self.audit(
            AuditEvent {
                actor: Some(user.id),
                detail: &format!("{sessions} sessions, {devices} devices"),
                ..AuditEvent::new("logout.everywhere", "success")
            },
            meta,
        )
        .await;
        Ok(())
    }

    pub async fn sessions(&self, authed: &Authed) -> Result<Vec<SessionView>, AccountError> {
        let rows = self.sessions.list(authed.user.id.0, self.now()).await?;
        Ok(rows
            .into_iter()
            .map(|r| SessionView {
                current: r.token_hash == authed.session_id,
                id: r.token_hash,
                created_at: r.created_at,
                last_seen_at: r.last_seen_at,
                ip: r.ip,
                user_agent: r.user_agent,
            })
            .collect())
    }

    pub async fn revoke_session(
        &self,
        user: &User,
        session_id: &str,
        meta: &RequestMeta,
    ) -> Result<(), AccountError> {
        let n = self
            .sessions
            .revoke(user.id.0, Some(session_id), None, self.now())
            .await?;
        if n == 0 {
            return Err(AccountError::NotFound);
        }
        self.audit(
            AuditEvent {
                actor: Some(user.id),
                ..AuditEvent::new("session.revoke", "success")
            },
            meta,
        )
        .await;
        Ok(())
    }

    /// Changes the password after checking the current one; every other
    /// session and every device is signed out.
    pub async fn change_password(
        &self,
        authed: &Authed,
        current: &str,
        new: &str,
        meta: &RequestMeta,
    ) -> Result<(), AccountError> {
        let user = &authed.user;
        self.confirm_password(user, current, "password.change", meta)
            .await?;
        let email = user.email.as_str().to_owned();
        let name = user.display_name.clone();
        let password =
            NewPassword::parse(new, &[&email, &name]).map_err(AccountError::WeakPassword)?;
        let hash = blocking(move || password::hash(&password)).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        store::set_password_hash(&mut tx, user.id, &hash, now).await?;
        self.post(
            &mut tx,
            Letter {
                kind: LetterKind::PasswordChanged,
                to: user.email.clone(),
                locale: user.locale.clone(),
                link: self.link("/forgot-password"),
            },
        )
        .await?;
        tx.commit().await?;
        self.sessions
            .revoke(user.id.0, None, Some(&authed.session_id), now)
            .await?;
        store::revoke_devices(&self.db, user.id, None, now).await?;
        self.audit(
            AuditEvent {
                actor: Some(user.id),
                ..AuditEvent::new("password.change", "success")
            },
            meta,
        )
        .await;
        Ok(())
    }

    /// Sends a reset link when the address has an account; answers the
    /// same either way.
    pub async fn request_password_reset(
        &self,
        email: &str,
        meta: &RequestMeta,
    ) -> Result<(), AccountError> {
        self.limit(&limits::RESET_IP, meta.ip_key()).await?;
        self.limit(
            &limits::RESET_ACCOUNT,
            &token_hash(&email.trim().to_lowercase()),
        )
        .await?;
        let Ok(email) = EmailAddress::parse(email) else {
            return Ok(());
        };
        let Some(row) = store::user_by_email(&self.db, email.as_str()).await? else {
            self.audit(
                AuditEvent {
                    subject: Some(email.as_str()),
                    detail: "unknown address",
                    ..AuditEvent::new("password.reset_requested", "failure")
                },
                meta,
            )
            .await;
            return Ok(());
        };
        let user = User::from_row(row);
        let mut tx = self.db.begin().await?;
        self.mail_token(
            &mut tx,
            TokenMail {
                user: user.id,
                to: &user.email,
                locale: &user.locale,
                purpose: "reset_password",
                ttl: self.settings.reset_token_ttl,
                kind: LetterKind::ResetPassword,
                path: "/reset-password",
            },
        )
        .await?;
        tx.commit().await?;
        self.audit(
            AuditEvent {
                actor: Some(user.id),
                subject: Some(email.as_str()),
                ..AuditEvent::new("password.reset_requested", "success")
            },
            meta,
        )
        .await;
        Ok(())
    }

    /// Sets a new password with a reset token. Does not sign in: every
    /// session and device is signed out, and the user is told by mail.
    pub async fn reset_password(
        &self,
        token: &str,
        new: &str,
        meta: &RequestMeta,
    ) -> Result<UserId, AccountError> {
        self.limit(&limits::RESET_SUBMIT_IP, meta.ip_key()).await?;
        let hashed_token = token_hash(token.trim());
        // The token first: a wrong one costs no password hashing.
        let invalid = || async {
            self.audit(
                AuditEvent {
                    detail: "invalid or expired token",
                    ..AuditEvent::new("password.reset", "failure")
                },
                meta,
            )
            .await;
            AccountError::InvalidToken
        };
        if !store::email_token_usable(&self.db, &hashed_token, "reset_password", self.now()).await?
        {
            return Err(invalid().await);
        }
        let password = NewPassword::parse(new, &[]).map_err(AccountError::WeakPassword)?;
        let hash = blocking(move || password::hash(&password)).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let Some(user) =
            store::take_email_token(&mut tx, &hashed_token, "reset_password", now).await?
        else {
            // Used or expired meanwhile.
            tx.rollback().await?;
            return Err(invalid().await);
        };
        let row = store::user_by_id(&self.db, user)
            .await?
            .ok_or(AccountError::InvalidToken)?;
        store::set_password_hash(&mut tx, UserId(user), &hash, now).await?;
        // The reset link reached the mailbox: the address is proven.
        store::mark_verified(&mut tx, UserId(user), now).await?;
        self.post(
            &mut tx,
            Letter {
                kind: LetterKind::PasswordChanged,
                to: EmailAddress::from_stored(row.email),
                locale: row.locale,
                link: self.link("/forgot-password"),
            },
        )
        .await?;
        tx.commit().await?;
        self.sessions.revoke(user, None, None, now).await?;
        store::revoke_devices(&self.db, UserId(user), None, now).await?;
        self.audit(
            AuditEvent {
                actor: Some(UserId(user)),
                ..AuditEvent::new("password.reset", "success")
            },
            meta,
        )
        .await;
        Ok(UserId(user))
    }

    /// Sets (or with `None` clears) the person's time zone; a name the
    /// zone database does not know is refused and changes nothing.
    pub async fn set_time_zone(&self, user: &User, zone: Option<&str>) -> Result<(), AccountError> {
        let zone = zone.map(str::trim).filter(|z| !z.is_empty());
        if let Some(z) = zone
            && (z.len() > 64 || jiff::tz::TimeZone::get(z).is_err())
        {
            return Err(AccountError::Invalid("unknown_time_zone"));
        }
        store::set_time_zone(&self.db, user.id, zone).await?;
        Ok(())
    }

    pub async fn set_locale(&self, user: &User, locale: &str) -> Result<(), AccountError> {
        store::set_locale(&self.db, user.id, locale).await?;
        Ok(())
    }
}
