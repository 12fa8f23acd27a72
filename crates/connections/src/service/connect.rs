//! The connect flow: consent, the callback, choosing accounts, saving them.

use super::*;

impl Connections {
    /// Starts connecting `provider` to `workspace`: returns the URL to send
    /// the browser to. `session` is the caller's session id; the state only
    /// completes in that session.
    pub async fn start(
        &self,
        user: &User,
        session: Option<&str>,
        auth: &Authorized,
        provider: ProviderId,
        rerequest: bool,
    ) -> Result<url::Url, ConnectError> {
        let session = session.ok_or(ConnectError::SessionRequired)?;
        auth.require(Permission::ManageConnections)?;
        if auth.user() != user.id {
            return Err(ConnectError::Account(AccountError::Forbidden));
        }
        self.inner.accounts.require_verified(user)?;
        let workspace = auth.workspace();
        let registered = self
            .inner
            .providers
            .get(provider)
            .ok_or(ConnectError::UnknownProvider)?;
        let now = self.now();
        if let Err(e) = store::purge_attempts(&self.inner.db, now).await {
            tracing::warn!(error = %e, "could not purge expired connect attempts");
        }
        let nonce = new_token();
        let verifier = new_token();
        let state = make_state(&self.inner.state_key, &nonce, session, provider);
        let id = token_hash(&nonce);
        let (key_id, sealed) = self.seal(
            &AttemptSecrets {
                pkce_verifier: verifier.clone(),
                grant: None,
            },
            &id,
        )?;
        store::insert_attempt(
            &self.inner.db,
            &AttemptRow {
                id,
                user_id: user.id,
                workspace_id: workspace,
                provider: provider.as_str().to_owned(),
                session_binding: session.to_owned(),
                stage: "started".to_owned(),
                key_id,
                sealed,
                created_at: DbTime(now),
                expires_at: DbTime(now + ATTEMPT_TTL),
            },
        )
        .await?;
        let redirect_uri = self.redirect_uri(provider);
        Ok(registered.connector.authorize_url(&AuthorizeRequest {
            redirect_uri: &redirect_uri,
            state: &state,
            pkce_verifier: &verifier,
            rerequest,
        })?)
    }

    /// Checks the state of a callback: signed for this session and
    /// provider, issued to this user, unused and fresh. Marks it used.
    async fn take_attempt(
        &self,
        user: &User,
        session: &str,
        provider: ProviderId,
        state: Option<&str>,
    ) -> Result<(AttemptRow, AttemptSecrets), ConnectError> {
        let nonce = check_state(&self.inner.state_key, state, session, provider)?;
        let id = token_hash(nonce);
        let attempt = store::attempt(&self.inner.db, &id)
            .await?
            .ok_or(ConnectError::StaleState)?;
        if attempt.user_id != user.id
            || attempt.provider != provider.as_str()
            || !same(&attempt.session_binding, session)
        {
            return Err(ConnectError::ForgedState);
        }
        let now = self.now();
        if attempt.stage != "started" || attempt.expires_at.0 < now {
            return Err(ConnectError::StaleState);
        }
        // Single use: of two concurrent callbacks only one gets past here.
        if !store::advance_attempt(
            &self.inner.db,
            &id,
            "started",
            "done",
            None,
            now + ATTEMPT_TTL,
        )
        .await?
        {
            return Err(ConnectError::StaleState);
        }
        let secrets: AttemptSecrets = self.unseal(&attempt.sealed, &attempt.id)?;
        Ok((attempt, secrets))
    }

    /// Completes the flow on the redirect back from the platform.
    pub async fn complete(
        &self,
        user: &User,
        session: Option<&str>,
        provider: ProviderId,
        params: &CallbackParams,
        meta: &RequestMeta,
    ) -> Result<Completed, ConnectError> {
        let session = session.ok_or(ConnectError::SessionRequired)?;
        let registered = self
            .inner
            .providers
            .get(provider)
            .ok_or(ConnectError::UnknownProvider)?;
        let (attempt, secrets) = self
            .take_attempt(user, session, provider, params.state.as_deref())
            .await?;
        let workspace = attempt.workspace_id;
        // The person's role may have changed during the consent.
        self.inner
            .accounts
            .require(user, workspace, Permission::ManageConnections)
            .await?;
        if let Some(refused) = redirect_error(params) {
            let error = params.error.as_deref().unwrap_or_default();
            self.audit_connect(user, workspace, provider, "denied", meta, error)
                .await;
            return Err(refused);
        }
        let code = params
            .code
            .as_deref()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| ConnectError::Redirect("the platform sent no code".to_owned()))?;
        let redirect_uri = self.redirect_uri(provider);
        let grant = match registered
            .connector
            .exchange(&CodeExchange {
                code,
                redirect_uri: &redirect_uri,
                pkce_verifier: &secrets.pkce_verifier,
            })
            .await
        {
            Ok(grant) => grant,
            Err(e) => {
                self.audit_connect(user, workspace, provider, "failure", meta, &e.to_string())
                    .await;
                return Err(e.into());
            }
        };
        let missing = missing_scopes(
            registered.connector.info().required_scopes,
            &grant.granted_scopes,
        );
        if !missing.is_empty() {
            self.audit_connect(
                user,
                workspace,
                provider,
                "failure",
                meta,
                &format!("missing scopes: {}", missing.join(" ")),
            )
            .await;
            return Err(ConnectError::MissingScopes(missing));
        }
        match grant.accounts.len() {
            0 => {
                self.audit_connect(user, workspace, provider, "failure", meta, "no accounts")
                    .await;
                Err(ConnectError::NoAccounts(provider))
            }
            1 => {
                let candidate = grant.accounts[0].clone();
                let view = self
                    .save(user, workspace, provider, &grant, candidate, meta)
                    .await?;
                Ok(Completed::Connected {
                    workspace,
                    accounts: vec![view],
                })
            }
            _ => {
                let (key_id, sealed) = self.seal(
                    &AttemptSecrets {
                        pkce_verifier: String::new(),
                        grant: Some(grant),
                    },
                    &attempt.id,
                )?;
                store::advance_attempt(
                    &self.inner.db,
                    &attempt.id,
                    "done",
                    "choosing",
                    Some((key_id, &sealed)),
                    self.now() + ATTEMPT_TTL,
                )
                .await?;
                Ok(Completed::Choose {
                    attempt: attempt.id,
                })
            }
        }
    }

    /// The attempt waiting for a choice, checked against the caller.
    pub(super) async fn choosing(
        &self,
        user: &User,
        session: Option<&str>,
        attempt: &str,
    ) -> Result<(AttemptRow, Grant), ConnectError> {
        let session = session.ok_or(ConnectError::SessionRequired)?;
        let row = store::attempt(&self.inner.db, attempt)
            .await?
            .ok_or(ConnectError::StaleState)?;
        if row.user_id != user.id || !same(&row.session_binding, session) {
            // Someone else's attempt is none of this caller's business.
            return Err(ConnectError::StaleState);
        }
        if row.stage != "choosing" || row.expires_at.0 < self.now() {
            return Err(ConnectError::StaleState);
        }
        let secrets: AttemptSecrets = self.unseal(&row.sealed, &row.id)?;
        let grant = secrets.grant.ok_or(ConnectError::StaleState)?;
        Ok((row, grant))
    }

    /// The accounts offered by a grant awaiting a choice.
    pub async fn choices(
        &self,
        user: &User,
        session: Option<&str>,
        attempt: &str,
    ) -> Result<(ProviderId, Vec<Choice>), ConnectError> {
        let (row, grant) = self.choosing(user, session, attempt).await?;
        let provider = ProviderId::parse(&row.provider).ok_or(ConnectError::UnknownProvider)?;
        let existing = store::list(&self.inner.db, row.workspace_id).await?;
        let choices = grant
            .accounts
            .iter()
            .map(|c| Choice {
                key: choice_key(c),
                kind: c.kind,
                name: c.name.clone(),
                handle: c.handle.clone(),
                avatar_url: c.avatar_url.clone(),
                parent: c.parent.clone(),
                connected: existing
                    .iter()
                    .any(|e| e.kind == c.kind.as_str() && e.remote_id == c.remote_id),
            })
            .collect();
        Ok((provider, choices))
    }

    /// Connects the chosen accounts of a grant awaiting a choice.
    pub async fn choose(
        &self,
        user: &User,
        session: Option<&str>,
        attempt: &str,
        chosen: &[String],
        meta: &RequestMeta,
    ) -> Result<(WorkspaceId, Vec<ConnectionView>), ConnectError> {
        let (row, grant) = self.choosing(user, session, attempt).await?;
        let provider = ProviderId::parse(&row.provider).ok_or(ConnectError::UnknownProvider)?;
        let workspace = row.workspace_id;
        self.inner
            .accounts
            .require(user, workspace, Permission::ManageConnections)
            .await?;
        let picked: Vec<Candidate> = grant
            .accounts
            .iter()
            .filter(|c| chosen.iter().any(|k| *k == choice_key(c)))
            .cloned()
            .collect();
        if picked.is_empty() {
            return Err(ConnectError::NothingChosen);
        }
        if !store::advance_attempt(
            &self.inner.db,
            &row.id,
            "choosing",
            "done",
            None,
            self.now(),
        )
        .await?
        {
            return Err(ConnectError::StaleState);
        }
        let mut views = Vec::new();
        for candidate in picked {
            views.push(
                self.save(user, workspace, provider, &grant, candidate, meta)
                    .await?,
            );
        }
        Ok((workspace, views))
    }

    /// Stores a connection, or renews an existing one of the same account
    /// (keeping a stored refresh token the new grant did not include).
    async fn save(
        &self,
        user: &User,
        workspace: WorkspaceId,
        provider: ProviderId,
        grant: &Grant,
        candidate: Candidate,
        meta: &RequestMeta,
    ) -> Result<ConnectionView, ConnectError> {
        let now = self.now();
        let mut tx = self.inner.db.begin().await?;
        let existing = store::connection_for_update(
            &mut tx,
            workspace,
            candidate.kind.as_str(),
            &candidate.remote_id,
        )
        .await?;
        let id = existing.as_ref().map_or_else(
            || ConnectionId(uuid::Uuid::now_v7().to_string()),
            |e| e.id.clone(),
        );
        let credentials = match existing.as_ref().and_then(|e| self.credentials_of(e).ok()) {
            Some(old) => old.renewed_by(candidate.credentials.clone()),
            None => candidate.credentials.clone(),
        };
        let (key_id, secrets) = self.seal(
            &Tokens {
                access_token: credentials.access_token.clone(),
                refresh_token: credentials.refresh_token.clone(),
            },
            id.as_str(),
        )?;
        let row = ConnectionRow {
            id: id.clone(),
            workspace_id: workspace,
            provider: provider.as_str().to_owned(),
            kind: candidate.kind.as_str().to_owned(),
            remote_id: candidate.remote_id.clone(),
            platform_user_id: grant.platform_user_id.clone(),
            name: candidate.name.clone(),
            handle: candidate.handle.clone(),
            avatar_url: candidate.avatar_url.clone(),
            parent: candidate.parent.clone(),
            scopes: grant.granted_scopes.join(" "),
            status: Status::Active.as_str().to_owned(),
            status_detail: String::new(),
            key_id,
            secrets,
            access_expires_at: credentials.access_expires_at.map(DbTime),
            refresh_expires_at: credentials.refresh_expires_at.map(DbTime),
            issued_at: DbTime(credentials.issued_at),
            refreshed_at: None,
            created_at: existing.as_ref().map_or(DbTime(now), |e| e.created_at),
            updated_at: DbTime(now),
            // A reconnection restores access.
            revoked_at: None,
            sandbox: self
                .inner
                .providers
                .get(provider)
                .is_some_and(|p| p.sandbox),
            // A new connection has not been subscribed yet; a reconnection
            // keeps its state until the subscription below says more.
            webhooks: existing
                .as_ref()
                .map_or_else(String::new, |e| e.webhooks.clone()),
            webhooks_checked_at: existing.as_ref().and_then(|e| e.webhooks_checked_at),
        };
        if existing.is_some() {
            store::update_grant(&mut tx, &row).await?;
        } else {
            store::insert(&mut tx, &row, user.id).await?;
        }
        let next = next_refresh(provider, &row).max(now);
        self.schedule_refresh(&mut tx, &id, next).await?;
        tx.commit().await?;
        let action = if existing.is_some() {
            "connection.reconnected"
        } else {
            "connection.connected"
        };
        self.inner
            .accounts
            .audit(
                AuditEvent {
                    actor: Some(user.id),
                    workspace: Some(workspace),
                    subject: Some(id.as_str()),
                    detail: &format!(
                        "{} {} {}",
                        provider,
                        candidate.kind.as_str(),
                        candidate.name
                    ),
                    ..AuditEvent::new(action, "success")
                },
                meta,
            )
            .await;
        tracing::info!(connection = %id, %provider, kind = candidate.kind.as_str(), "account connected");
        // Webhooks come only for subscribed accounts: subscribe now (again
        // on a reconnection, which may have granted what was missing).
        self.subscribe_after_connect(&id).await;
        let row = store::connection(&self.inner.db, &id).await?.unwrap_or(row);
        Ok(self.view(row))
    }

    pub(super) async fn schedule_refresh(
        &self,
        tx: &mut herald_db::Tx,
        id: &ConnectionId,
        at: Timestamp,
    ) -> Result<(), DbError> {
        let job = NewJob::of(&RefreshConnection {
            connection: id.to_owned(),
        })
        .expect("the payload serializes")
        .run_at(at)
        // One job per connection and due time: a reconnection schedules its
        // own, and the earlier one finds nothing due.
        .unique_key(format!("connection-refresh:{id}:{}", at.as_second()));
        self.inner.queue.enqueue(tx, job).await?;
        Ok(())
    }

    async fn audit_connect(
        &self,
        user: &User,
        workspace: WorkspaceId,
        provider: ProviderId,
        outcome: &str,
        meta: &RequestMeta,
        detail: &str,
    ) {
        self.inner
            .accounts
            .audit(
                AuditEvent {
                    actor: Some(user.id),
                    workspace: Some(workspace),
                    subject: Some(provider.as_str()),
                    detail,
                    ..AuditEvent::new("connection.connect", outcome)
                },
                meta,
            )
            .await;
    }
}

fn state_signature(key: &[u8], nonce: &str, session: &str, provider: ProviderId) -> String {
    sign(key, &format!("{nonce}|{session}|{provider}"))
}

/// The `state` sent to the platform: the attempt's nonce, signed for the
/// session and the provider.
fn make_state(key: &[u8], nonce: &str, session: &str, provider: ProviderId) -> String {
    format!("{nonce}.{}", state_signature(key, nonce, session, provider))
}

/// The nonce of the `state` a callback brought back, when it is signed for
/// this session and provider (compared in constant time).
fn check_state<'a>(
    key: &[u8],
    state: Option<&'a str>,
    session: &str,
    provider: ProviderId,
) -> Result<&'a str, ConnectError> {
    let state = state.ok_or(ConnectError::ForgedState)?;
    let (nonce, signature) = state.split_once('.').ok_or(ConnectError::ForgedState)?;
    if !same(signature, &state_signature(key, nonce, session, provider)) {
        return Err(ConnectError::ForgedState);
    }
    Ok(nonce)
}

/// What a redirect's `error` parameters say: the person declined, or the
/// platform reports a problem (its description, else its code).
fn redirect_error(params: &CallbackParams) -> Option<ConnectError> {
    let error = params.error.as_ref()?;
    let denied = error == "access_denied" || params.error_reason.as_deref() == Some("user_denied");
    Some(if denied {
        ConnectError::Denied
    } else {
        ConnectError::Redirect(
            params
                .error_description
                .clone()
                .unwrap_or_else(|| error.clone()),
        )
    })
}

fn choice_key(c: &Candidate) -> String {
    format!("{}:{}", c.kind.as_str(), c.remote_id)
}

/// Property tests: whatever a browser brings back to the callback, reading
/// its `state` and `error` never panics; a state is accepted only as
/// issued, for the session and provider it was issued to.
#[cfg(test)]
mod props {
    use herald_accounts::secret::new_token;
    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::sample::Index;

    use super::*;

    const KEY: &[u8] = b"state-key-for-tests";

    fn provider() -> impl Strategy<Value = ProviderId> {
        prop::sample::select(ProviderId::ALL.to_vec())
    }

    fn text(max: usize) -> impl Strategy<Value = String> {
        vec(any::<char>(), 0..max).prop_map(String::from_iter)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn issued_states_come_back_with_their_nonce(
            nonce in prop_oneof![Just(new_token()), "[A-Za-z0-9_-]{0,64}", "[^.]{0,32}"],
            session in "[A-Za-z0-9_-]{1,64}",
            provider in provider(),
        ) {
            let state = make_state(KEY, &nonce, &session, provider);
            prop_assert_eq!(check_state(KEY, Some(&state), &session, provider).ok(), Some(nonce.as_str()));
        }

        #[test]
        fn a_state_is_refused_in_another_session_provider_or_deployment(
            session in "[A-Za-z0-9_-]{1,43}",
            other_session in "[A-Za-z0-9_-]{1,43}",
            provider in provider(),
            other_provider in provider(),
            other_key in vec(any::<u8>(), 0..32),
        ) {
            let nonce = new_token();
            let state = make_state(KEY, &nonce, &session, provider);
            if other_session != session {
                prop_assert!(matches!(
                    check_state(KEY, Some(&state), &other_session, provider),
                    Err(ConnectError::ForgedState)
                ));
            }
            if other_provider != provider {
                prop_assert!(matches!(
                    check_state(KEY, Some(&state), &session, other_provider),
                    Err(ConnectError::ForgedState)
                ));
            }
            if other_key != KEY {
                prop_assert!(matches!(
                    check_state(&other_key, Some(&state), &session, provider),
                    Err(ConnectError::ForgedState)
                ));
            }
        }

        #[test]
        fn any_change_to_a_state_is_refused(
            edits in vec(
                (any::<Index>(), prop::sample::select("Aa0-_.=+/ %\u{e4}".chars().collect::<Vec<_>>()), 0u8..3),
                1..4,
            ),
            provider in provider(),
        ) {
            let state = make_state(KEY, &new_token(), "session", provider);
            let mut chars: Vec<char> = state.chars().collect();
            for (at, c, op) in edits {
                match op {
                    0 if !chars.is_empty() => {
                        let i = at.index(chars.len());
                        chars[i] = c;
                    }
                    1 => chars.insert(at.index(chars.len() + 1), c),
                    _ if !chars.is_empty() => {
                        chars.remove(at.index(chars.len()));
                    }
                    _ => {}
                }
            }
            let changed: String = chars.into_iter().collect();
            prop_assume!(changed != state);
            prop_assert!(matches!(
                check_state(KEY, Some(&changed), "session", provider),
                Err(ConnectError::ForgedState)
            ));
        }

        #[test]
        fn arbitrary_states_never_panic_and_are_refused(
            state in proptest::option::of(text(512)),
            session in text(64),
            provider in provider(),
        ) {
            prop_assert!(matches!(
                check_state(KEY, state.as_deref(), &session, provider),
                Err(ConnectError::ForgedState)
            ));
        }

        #[test]
        fn redirect_errors_are_a_denial_or_the_platforms_words(
            error in proptest::option::of(prop_oneof![
                Just("access_denied".to_owned()),
                Just("server_error".to_owned()),
                text(40),
            ]),
            reason in proptest::option::of(prop_oneof![Just("user_denied".to_owned()), text(20)]),
            description in proptest::option::of(text(80)),
            code in proptest::option::of(text(40)),
        ) {
            let params = CallbackParams {
                state: None,
                code,
                error: error.clone(),
                error_reason: reason.clone(),
                error_description: description.clone(),
            };
            match (error, redirect_error(&params)) {
                (None, None) => {}
                (Some(e), Some(ConnectError::Denied)) => {
                    prop_assert!(e == "access_denied" || reason.as_deref() == Some("user_denied"));
                }
                (Some(e), Some(ConnectError::Redirect(shown))) => {
                    prop_assert!(e != "access_denied" && reason.as_deref() != Some("user_denied"));
                    prop_assert_eq!(shown, description.unwrap_or(e));
                }
                (e, other) => {
                    return Err(TestCaseError::fail(format!("{e:?} -> {other:?}")));
                }
            }
        }
    }
}
