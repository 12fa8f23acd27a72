//! "Download my data": the archive of everything about a person and the
//! workspaces they own.
//!
//! ```text
//! account.json                 the person, consents, sessions, devices, memberships
//! audit.json                   what they did (sign-ins, changes), newest first
//! notifications.json           their notifications in every workspace
//! workspaces/<id>/workspace.json      name and members (names and roles)
//! workspaces/<id>/posts.json          every post, its targets and every attempt
//! workspaces/<id>/connections.json    connected accounts (never a token)
//! workspaces/<id>/webhook_endpoints.json  endpoints (never a secret)
//! workspaces/<id>/studio.json         the content studio: own templates, pillars, cadence
//!                                     plan, drafts with every version, generations
//! workspaces/<id>/media.json          the library, with each file's place here
//! workspaces/<id>/media/<id>-<name>   the files
//! ```

use futures_util::StreamExt;
use herald_accounts::AuditEvent;
use herald_accounts::{LetterKind, Permission, RequestMeta, Role, User};
use herald_core::Named;
use herald_core::Timestamp;
use herald_core::WorkspaceId;
use herald_jobs::NewJob;
use herald_ratelimit::Limit;
use serde_json::{Value, json};

use crate::archive::{ArchiveWriter, safe_name};
use crate::{BuildExport, EXPORT_TTL, Privacy, PrivacyError, store};

/// Three exports a day per person: each one reads everything they have.
pub const EXPORT_LIMIT: Limit =
    Limit::new("export_user", 3, std::time::Duration::from_secs(24 * 3600));

#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum ExportState {
    Pending,
    Ready,
    Failed,
}

impl ExportState {
    fn parse(s: &str) -> ExportState {
        match s {
            "ready" => ExportState::Ready,
            "pending" => ExportState::Pending,
            _ => ExportState::Failed,
        }
    }
}

/// One export of a person's data.
#[derive(Debug, Clone)]
pub struct Export {
    pub id: String,
    pub state: ExportState,
    pub requested_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub expires_at: Timestamp,
    pub size: Option<u64>,
}

impl Export {
    fn from_row(row: store::ExportRow) -> Export {
        Export {
            id: row.id,
            state: ExportState::parse(&row.state),
            requested_at: row.requested_at.0,
            finished_at: row.finished_at.map(Timestamp::from),
            expires_at: row.expires_at.0,
            size: row.size_bytes.and_then(|s| u64::try_from(s).ok()),
        }
    }
}

/// A ready archive: where it is and how big.
#[derive(Debug, Clone)]
pub struct ReadyArchive {
    pub storage_key: String,
    pub size: u64,
    pub requested_at: Timestamp,
}

fn ts(t: Timestamp) -> Value {
    Value::String(t.to_string())
}

impl Privacy {
    /// Records an export of `user`'s data and queues the job that makes it.
    pub async fn request_export(
        &self,
        user: &User,
        meta: &RequestMeta,
    ) -> Result<Export, PrivacyError> {
        self.accounts()
            .check_limit(&EXPORT_LIMIT, &format!("export:{}", user.id.0))
            .await?;
        let id = herald_accounts::secret::new_token();
        let now = self.now();
        let expires = now + EXPORT_TTL;
        let mut tx = self.inner.db.begin().await?;
        store::insert_export(&mut tx, &id, user.id, now, expires).await?;
        let job = NewJob::of(&BuildExport { export: id.clone() })
            .map_err(|e| PrivacyError::Archive(e.to_string()))?;
        self.inner
            .queue
            .enqueue(&mut tx, job)
            .await
            .map_err(PrivacyError::Queue)?;
        tx.commit().await?;
        self.accounts()
            .audit(
                AuditEvent {
                    actor: Some(user.id),
                    ..AuditEvent::new("data.export", "success")
                },
                meta,
            )
            .await;
        Ok(Export {
            id,
            state: ExportState::Pending,
            requested_at: now,
            finished_at: None,
            expires_at: expires,
            size: None,
        })
    }

    /// `user`'s exports that have not expired, newest first.
    pub async fn exports(&self, user: &User) -> Result<Vec<Export>, PrivacyError> {
        let now = self.now();
        Ok(store::exports_of(&self.inner.db, user.id)
            .await?
            .into_iter()
            .map(Export::from_row)
            .filter(|e| e.expires_at > now)
            .collect())
    }

    /// The bytes of `user`'s export `id`, if it is theirs and ready.
    pub async fn open_archive(
        &self,
        user: &User,
        id: &str,
    ) -> Result<(ReadyArchive, herald_media::ByteStream), PrivacyError> {
        let archive = self.archive(user, id).await?;
        let stream = self
            .inner
            .s
            .media
            .storage()
            .read_range(&archive.storage_key, 0, None)
            .await
            .map_err(herald_media::MediaError::from)?;
        Ok((archive, stream))
    }

    /// The archive of `user`'s export `id`, if it is theirs and ready.
    async fn archive(&self, user: &User, id: &str) -> Result<ReadyArchive, PrivacyError> {
        let row = store::export(&self.inner.db, id)
            .await?
            .filter(|r| r.user_id == user.id)
            .ok_or(PrivacyError::NotFound)?;
        if row.expires_at.0 <= self.now() {
            return Err(PrivacyError::NotReady);
        }
        match (row.state.as_str(), row.storage_key, row.size_bytes) {
            ("ready", Some(storage_key), Some(size)) => Ok(ReadyArchive {
                storage_key,
                size: u64::try_from(size).unwrap_or(0),
                requested_at: row.requested_at.0,
            }),
            _ => Err(PrivacyError::NotReady),
        }
    }

    pub(crate) async fn fail_export(&self, id: &str) -> Result<(), PrivacyError> {
        let mut tx = self.inner.db.begin().await?;
        store::finish_export(&mut tx, id, None, self.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The job's step: writes the archive, stores it, tells the person.
    pub(crate) async fn build_export(&self, id: &str) -> Result<(), PrivacyError> {
        let Some(row) = store::export(&self.inner.db, id).await? else {
            return Ok(()); // the person is gone, and their exports with them
        };
        if row.state != "pending" {
            return Ok(());
        }
        let Some(user) = self.accounts().user(row.user_id).await? else {
            return Ok(());
        };
        let dir = tempfile::Builder::new()
            .prefix("herald-export-")
            .tempdir_in(&self.inner.temp_dir)
            .map_err(|e| PrivacyError::Archive(e.to_string()))?;
        let path = dir.path().join("export.zip");
        let writer = ArchiveWriter::create(&path).map_err(PrivacyError::Archive)?;
        let written = self.write_archive(&writer, &user).await;
        let size = writer.finish().await.map_err(PrivacyError::Archive)?;
        written?;
        let key = format!("exports/{id}.zip");
        self.inner
            .s
            .media
            .storage()
            .put_file(&key, &path, "application/zip")
            .await
            .map_err(herald_media::MediaError::from)?;
        let mut tx = self.inner.db.begin().await?;
        if store::finish_export(&mut tx, id, Some((&key, size)), self.now()).await? {
            self.accounts()
                .send_letter(
                    &mut tx,
                    &user,
                    LetterKind::ExportReady,
                    "/home/settings/data",
                )
                .await?;
        }
        tx.commit().await?;
        tracing::info!(export = %id, size, "data export ready");
        Ok(())
    }

    async fn write_archive(&self, w: &ArchiveWriter, user: &User) -> Result<(), PrivacyError> {
        let s = &self.inner.s;
        let a = PrivacyError::Archive;
        let memberships = s.accounts.workspaces(user).await?;
        let consents = s.accounts.consents(user).await?;
        let sessions = s.accounts.sessions_of(user).await?;
        let devices = s.accounts.devices(user).await?;
        let account = json!({
            "exported_at": ts(self.now()),
            "user": {
                "id": user.id.0,
                "email": user.email.as_str(),
                "display_name": user.display_name,
                "language": user.locale,
                "email_verified": user.verified,
                "created_at": ts(user.created_at),
            },
            "consents": consents,
            "sessions": sessions.iter().map(|s| json!({
                "created_at": ts(s.created_at),
                "last_seen_at": ts(s.last_seen_at),
                "ip": s.ip,
                "browser": s.user_agent,
            })).collect::<Vec<_>>(),
            "devices": devices.iter().map(|d| json!({
                "id": d.id.0,
                "name": d.name,
                "kind": d.kind,
                "created_at": ts(d.created_at),
                "last_used_at": ts(d.last_used_at),
                "ip": d.ip,
                "browser": d.user_agent,
            })).collect::<Vec<_>>(),
            "memberships": memberships.iter().map(|m| json!({
                "workspace_id": m.id.0,
                "workspace": m.name,
                "role": m.role.as_str(),
                "personal": m.personal,
            })).collect::<Vec<_>>(),
        });
        w.json("account.json", &account).await.map_err(a)?;

        let audit: Vec<Value> = s
            .accounts
            .audit_of(user)
            .await?
            .into_iter()
            .map(|e| {
                json!({
                    "at": ts(e.at),
                    "action": e.action,
                    "outcome": e.outcome,
                    "subject": e.subject,
                    "ip": e.ip,
                    "browser": e.user_agent,
                    "detail": e.detail,
                })
            })
            .collect();
        w.json("audit.json", &Value::Array(audit))
            .await
            .map_err(a)?;

        let mut notifications = Vec::new();
        for m in &memberships {
            let auth = s.accounts.require(user, m.id, Permission::View).await?;
            for n in s
                .notifications
                .list(&auth, herald_notify::KEEP_PER_USER as usize)
                .await?
            {
                notifications.push(json!({
                    "workspace_id": m.id.0,
                    "kind": n.kind.as_str(),
                    "text": n.text,
                    "link": n.link,
                    "created_at": ts(n.created_at),
                    "read": n.read,
                }));
            }
        }
        w.json("notifications.json", &Value::Array(notifications))
            .await
            .map_err(a)?;

        for m in memberships.iter().filter(|m| m.role == Role::Owner) {
            self.write_workspace(w, user, m.id, &m.name, m.personal)
                .await?;
        }
        Ok(())
    }

    async fn write_workspace(
        &self,
        w: &ArchiveWriter,
        user: &User,
        ws: WorkspaceId,
        name: &str,
        personal: bool,
    ) -> Result<(), PrivacyError> {
        let s = &self.inner.s;
        let a = PrivacyError::Archive;
        let dir = format!("workspaces/{}", ws.0);
        let members = s.accounts.members(user, ws).await?;
        w.json(
            &format!("{dir}/workspace.json"),
            &json!({
                "id": ws.0,
                "name": name,
                "personal": personal,
                "members": members.iter().map(|m| json!({
                    "user_id": m.user_id.0,
                    "display_name": m.display_name,
                    "role": m.role.as_str(),
                    "since": ts(m.since),
                })).collect::<Vec<_>>(),
            }),
        )
        .await
        .map_err(a)?;

        let owner = s.accounts.require(user, ws, Permission::View).await?;
        let posts: Vec<Value> = s
            .publishing
            .export(&owner)
            .await?
            .into_iter()
            .map(|(post, receipts)| json!({"post": post, "attempts": receipts}))
            .collect();
        w.json(&format!("{dir}/posts.json"), &Value::Array(posts))
            .await
            .map_err(a)?;

        let connections = s.connections.list(&owner, None).await?;
        w.json(&format!("{dir}/connections.json"), &json!(connections))
            .await
            .map_err(a)?;

        let endpoints: Vec<Value> = s
            .outbound
            .list(&owner)
            .await?
            .into_iter()
            .map(|e| {
                json!({
                    "id": e.id.0,
                    "url": e.url,
                    "description": e.description,
                    "event_types": e.event_types,
                    "enabled": e.enabled,
                    "created_at": ts(e.created_at),
                })
            })
            .collect();
        w.json(
            &format!("{dir}/webhook_endpoints.json"),
            &Value::Array(endpoints),
        )
        .await
        .map_err(a)?;

        let studio = s.studio.export(&owner).await?;
        w.json(&format!("{dir}/studio.json"), &json!(studio))
            .await
            .map_err(a)?;

        let media = s.media.all(ws).await?;
        let mut listed = Vec::with_capacity(media.len());
        for m in &media {
            let file = format!("media/{}-{}", m.id, safe_name(&m.filename));
            listed.push(json!({
                "id": m.id.to_string(),
                "filename": m.filename,
                "type": m.mime,
                "kind": m.kind,
                "size": m.size,
                "width": m.width,
                "height": m.height,
                "duration_ms": m.duration_ms,
                "sha256": m.sha256,
                "created_at": ts(m.created_at),
                "file": file,
            }));
        }
        w.json(&format!("{dir}/media.json"), &Value::Array(listed))
            .await
            .map_err(a)?;
        for m in &media {
            w.entry(
                &format!("{dir}/media/{}-{}", m.id, safe_name(&m.filename)),
                false,
            )
            .await
            .map_err(a)?;
            let mut stream = s.media.open_range(m, 0, None).await?;
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(herald_media::MediaError::from)?;
                w.write(chunk.to_vec()).await.map_err(a)?;
            }
        }
        Ok(())
    }
}
