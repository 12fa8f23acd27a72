//! The studio's spending (`/home/content/usage`): the month's generations,
//! tokens and cost, by model and by member, what today and this month
//! count against the quotas, and for owners and admins the quota form.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use herald_accounts::Permission;
use herald_studio::{Limit, Quotas};
use serde::Deserialize;

use super::super::shell::{RailItem, Section, rail};
use super::super::{Chrome, known, render};
use super::{Refused, back, engine_label, proof};
use crate::auth::SignedIn;
use crate::i18n::{Arg, Catalog};
use crate::member::PageMember;
use crate::{AppState, WebError, words};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/home/content/usage", get(show_usage))
        .route("/home/content/usage/quotas", post(set_quotas))
}

pub struct ModelRow {
    pub engine: String,
    pub model: String,
    pub calls: String,
    pub input: String,
    pub output: String,
    pub cost: String,
}

pub struct MemberRow {
    pub name: String,
    pub calls: String,
    pub tokens: String,
    pub cost: String,
}

pub struct QuotaRow {
    pub label: String,
    pub generations: String,
    pub tokens: String,
}

/// A quota's two fields in the form (`{key}.generations`, `{key}.tokens`).
pub struct QuotaField {
    pub key: &'static str,
    pub label: String,
    pub generations: String,
    pub tokens: String,
}

#[derive(Template)]
#[template(path = "content_usage.html")]
struct UsagePage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    month: String,
    engine: String,
    generations: String,
    input_tokens: String,
    output_tokens: String,
    cost: String,
    models: Vec<ModelRow>,
    members: Vec<MemberRow>,
    quotas: Vec<QuotaRow>,
    may_set: bool,
    fields: Vec<QuotaField>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct UsageQuery {
    month: Option<String>,
    done: Option<String>,
    #[serde(flatten)]
    refused: Refused,
}

fn count(t: &Catalog, n: u64) -> String {
    t.fill("studio.count", "n", Arg::Count(n))
}

/// `used of limit` (or `used, no limit`).
fn use_of(t: &Catalog, used: u64, limit: Option<u64>) -> String {
    match limit {
        Some(l) => t.format(
            "studio.used_of",
            &[("used", Arg::Count(used)), ("limit", Arg::Count(l))],
        ),
        None => t.fill("studio.used_unlimited", "used", Arg::Count(used)),
    }
}

fn quota_label(t: &Catalog, scope: &str, period: &str) -> String {
    t.text(&format!("studio.quota.{scope}_{period}")).to_owned()
}

async fn show_usage(
    State(state): State<AppState>,
    PageMember {
        workspace, auth, ..
    }: PageMember,
    c: Chrome,
    Query(q): Query<UsageQuery>,
) -> Result<Response, WebError> {
    let t = c.t;
    let studio = state.studio();
    let month = q.month.as_deref().map(str::trim).filter(|m| !m.is_empty());
    let report = studio.usage(&auth, month).await?;
    let quotas = studio.quotas(&auth).await?;
    let money = |nanos: i64| words::money(t, nanos, &report.currency);
    let field = |key: &'static str, scope: &str, period: &str, l: Limit| QuotaField {
        key,
        label: quota_label(t, scope, period),
        generations: l.generations.map(|n| n.to_string()).unwrap_or_default(),
        tokens: l.tokens.map(|n| n.to_string()).unwrap_or_default(),
    };
    render(&UsagePage {
        rail: rail(Section::Content),
        workspace: workspace.id.0,
        engine: engine_label(t, &studio.engine()),
        generations: count(t, report.generations),
        input_tokens: count(t, report.input_tokens),
        output_tokens: count(t, report.output_tokens),
        cost: money(report.cost_nanos),
        models: report
            .by_model
            .iter()
            .map(|m| ModelRow {
                engine: m.engine.clone(),
                model: m.model.clone(),
                calls: count(t, m.calls),
                input: count(t, m.input_tokens),
                output: count(t, m.output_tokens),
                cost: money(m.cost_nanos),
            })
            .collect(),
        members: report
            .by_member
            .iter()
            .map(|m| MemberRow {
                name: if m.name.is_empty() {
                    t.text("studio.former_member").to_owned()
                } else {
                    m.name.clone()
                },
                calls: count(t, m.calls),
                tokens: count(t, m.tokens),
                cost: money(m.cost_nanos),
            })
            .collect(),
        quotas: report
            .quotas
            .iter()
            .map(|u| QuotaRow {
                label: quota_label(t, &u.scope, &u.period),
                generations: use_of(t, u.generations, u.limit.generations),
                tokens: use_of(t, u.tokens, u.limit.tokens),
            })
            .collect(),
        may_set: auth.allows(Permission::SetQuotas),
        fields: vec![
            field("workspace_day", "workspace", "day", quotas.workspace_day),
            field(
                "workspace_month",
                "workspace",
                "month",
                quotas.workspace_month,
            ),
            field("member_day", "member", "day", quotas.member_day),
            field("member_month", "member", "month", quotas.member_month),
        ],
        month: report.month,
        notice: known(t, "studio.done.", q.done.as_deref()),
        error: q.refused.message(c.locale),
        c,
    })
}

/// The quota form: two fields per quota; an empty one is no limit.
async fn set_quotas(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let workspace: i64 = value("workspace")
        .parse()
        .map_err(|_| WebError::BadRequest {
            code: "bad_request",
        })?;
    let auth = proof(&state, &authed.user, workspace).await?;
    let base = format!("/home/content/usage?workspace={workspace}");
    let number = |name: String| -> Result<Option<u64>, ()> {
        let v = value(&name);
        if v.is_empty() {
            return Ok(None);
        }
        v.parse().map(Some).map_err(|_| ())
    };
    let limit = |key: &str| -> Result<Limit, ()> {
        Ok(Limit {
            generations: number(format!("{key}.generations"))?,
            tokens: number(format!("{key}.tokens"))?,
        })
    };
    let quotas = match (
        limit("workspace_day"),
        limit("workspace_month"),
        limit("member_day"),
        limit("member_month"),
    ) {
        (Ok(workspace_day), Ok(workspace_month), Ok(member_day), Ok(member_month)) => Quotas {
            workspace_day,
            workspace_month,
            member_day,
            member_month,
        },
        _ => {
            return back(
                &base,
                Err(herald_studio::StudioError::Invalid {
                    field: "quotas",
                    reason: "not_a_number",
                }),
            );
        }
    };
    let outcome = state
        .studio()
        .set_quotas(&auth, &quotas)
        .await
        .map(|_| "quotas_saved");
    back(&base, outcome)
}
