//! Sign-up and e-mail verification.

use super::*;

impl Accounts {
    /// Creates an account, its personal workspace and a verification mail.
    /// Answers the same whether or not the address already has an account
    /// (the owner of an existing one gets a mail saying so instead).
    pub async fn sign_up(
        &self,
        email: &str,
        password: &str,
        display_name: &str,
        locale: &str,
        consent: &str,
        meta: &RequestMeta,
    ) -> Result<EmailAddress, AccountError> {
        if consent.trim().is_empty() {
            return Err(AccountError::Invalid("consent_required"));
        }
        self.limit(&limits::SIGNUP_IP, meta.ip_key()).await?;
        let email = EmailAddress::parse(email).map_err(AccountError::InvalidEmail)?;
        let display_name = clean_display_name(display_name);
        let inputs = [email.as_str().to_owned(), display_name.clone()];
        let password = NewPassword::parse(password, &[&inputs[0], &inputs[1]])
            .map_err(AccountError::WeakPassword)?;
        let hash = blocking(move || password::hash(&password)).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let Some(user) =
            store::insert_user(&mut tx, email.as_str(), &hash, &display_name, locale, now).await?
        else {
            tx.rollback().await?;
            return self.sign_up_taken(email, meta).await;
        };
        let workspace_name = if display_name.is_empty() {
            email
                .as_str()
                .split('@')
                .next()
                .unwrap_or_default()
                .to_owned()
        } else {
            display_name.clone()
        };
        let workspace = store::insert_workspace(&mut tx, &workspace_name, Some(user), now).await?;
        store::upsert_membership(
            &mut tx,
            WorkspaceId(workspace),
            UserId(user),
            Role::Owner.as_str(),
            now,
        )
        .await?;
        self.record_consent(&mut tx, user, consent, meta).await?;
        self.mail_verification(&mut tx, UserId(user), &email, locale)
            .await?;
        tx.commit().await?;
        self.audit(
            AuditEvent {
                actor: Some(UserId(user)),
                workspace: Some(WorkspaceId(workspace)),
                subject: Some(email.as_str()),
                ..AuditEvent::new("signup", "success")
            },
            meta,
        )
        .await;
        Ok(email)
    }

    async fn sign_up_taken(
        &self,
        email: EmailAddress,
        meta: &RequestMeta,
    ) -> Result<EmailAddress, AccountError> {
        let Some(row) = store::user_by_email(&self.db, email.as_str()).await? else {
            return Ok(email);
        };
        let user = User::from_row(row);
        self.audit(
            AuditEvent {
                actor: Some(user.id),
                subject: Some(email.as_str()),
                detail: "address already registered",
                ..AuditEvent::new("signup", "failure")
            },
            meta,
        )
        .await;
        // One notice per hour at most, so sign-up cannot be used to flood
        // someone's inbox; the answer to the caller does not change.
        if let Ok(Decision::Allowed { .. }) = self
            .limiter
            .hit(
                &limits::ACCOUNT_EXISTS_NOTICE,
                &self.limit_key(&user.id.to_string()),
            )
            .await
        {
            let mut tx = self.db.begin().await?;
            self.post(
                &mut tx,
                Letter {
                    kind: LetterKind::AccountExists,
                    to: user.email.clone(),
                    locale: user.locale.clone(),
                    link: self.link("/forgot-password"),
                },
            )
            .await?;
            tx.commit().await?;
        }
        Ok(email)
    }

    /// Confirms an address with the token from the verification mail.
    pub async fn verify_email(
        &self,
        token: &str,
        meta: &RequestMeta,
    ) -> Result<UserId, AccountError> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let Some(user) =
            store::take_email_token(&mut tx, &token_hash(token.trim()), "verify_email", now)
                .await?
        else {
            tx.rollback().await?;
            self.audit(
                AuditEvent {
                    detail: "invalid or expired token",
                    ..AuditEvent::new("email.verify", "failure")
                },
                meta,
            )
            .await;
            return Err(AccountError::InvalidToken);
        };
        store::mark_verified(&mut tx, UserId(user), now).await?;
        tx.commit().await?;
        self.audit(
            AuditEvent {
                actor: Some(UserId(user)),
                ..AuditEvent::new("email.verify", "success")
            },
            meta,
        )
        .await;
        Ok(UserId(user))
    }

    /// Sends a new verification mail (the previous link stops working).
    pub async fn resend_verification(
        &self,
        user: &User,
        meta: &RequestMeta,
    ) -> Result<(), AccountError> {
        if user.verified {
            return Ok(());
        }
        self.limit(&limits::VERIFY_RESEND, &user.id.to_string())
            .await?;
        let mut tx = self.db.begin().await?;
        self.mail_verification(&mut tx, user.id, &user.email, &user.locale)
            .await?;
        tx.commit().await?;
        self.audit(
            AuditEvent {
                actor: Some(user.id),
                ..AuditEvent::new("email.verify_resent", "success")
            },
            meta,
        )
        .await;
        Ok(())
    }

    /// Fails with [`AccountError::NotVerified`] for an unverified user: they
    /// may sign in and look around, but not connect platforms or publish.
    pub fn require_verified(&self, user: &User) -> Result<(), AccountError> {
        if user.verified {
            Ok(())
        } else {
            Err(AccountError::NotVerified)
        }
    }
}
