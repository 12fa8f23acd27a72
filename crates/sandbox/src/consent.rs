//! The consent pages every simulated authorize endpoint shows: one
//! server-rendered form (askama, escaped) with the sandbox user, a checkbox
//! per requested scope (and per Page for Facebook Login), Allow and Deny.
//! The form posts back to the same path with the original OAuth parameters
//! as hidden fields; each platform module validates them again and answers
//! with its own redirect.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::params::Params;
use crate::seed::normalize_username;

/// Form fields the consent page adds; everything else is an OAuth parameter
/// carried through as a hidden field.
const CONTROL_FIELDS: &[&str] = &[
    "sandbox_user",
    "grant",
    "page",
    "decision",
    "sandbox_action",
];

pub(crate) struct Hidden {
    pub name: String,
    pub value: String,
}

pub(crate) struct ScopeRow {
    pub name: String,
    pub about: &'static str,
    pub required: bool,
}

pub(crate) struct PageRow {
    pub slot: usize,
    pub name: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "consent.html")]
pub(crate) struct ConsentPage {
    pub css: String,
    /// "Sandbox · Facebook Login".
    pub title: String,
    /// "Facebook", "Instagram", "TikTok", "Google".
    pub product: &'static str,
    /// CSS class suffix.
    pub platform: &'static str,
    pub app_name: String,
    pub action: String,
    pub redirect_origin: String,
    pub hidden: Vec<Hidden>,
    pub user: String,
    pub scopes: Vec<ScopeRow>,
    pub pages: Vec<PageRow>,
    /// Facebook Login only: the Pages fieldset and its "show Pages" button.
    pub switch_user: bool,
}

#[derive(Template)]
#[template(path = "error.html")]
pub(crate) struct ErrorPage {
    pub css: String,
    pub title: String,
    pub platform: &'static str,
    pub heading: String,
    pub message: String,
}

/// Renders a page, or a plain 500 if the template fails.
pub(crate) fn html(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(body) => (
            status,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "sandbox template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The OAuth parameters to carry through the form.
pub(crate) fn hidden_params(params: &Params) -> Vec<Hidden> {
    params
        .iter()
        .filter(|(k, _)| !CONTROL_FIELDS.contains(k))
        .map(|(k, v)| Hidden {
            name: k.to_owned(),
            value: v.to_owned(),
        })
        .collect()
}

/// The sandbox user to show on the form: `sandbox_user` if given (the
/// "show Pages" button), else `demo`.
pub(crate) fn shown_user(params: &Params) -> String {
    normalize_username(params.get("sandbox_user").unwrap_or("demo"))
}

pub(crate) fn scope_rows(requested: &[String], required: &[&str]) -> Vec<ScopeRow> {
    requested
        .iter()
        .map(|s| ScopeRow {
            name: s.clone(),
            about: describe_scope(s),
            required: required.contains(&s.as_str()),
        })
        .collect()
}

/// What the person chose on a submitted consent form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decision {
    pub user: String,
    pub allow: bool,
    /// Requested scopes that stayed checked (request order); required scopes
    /// are always included.
    pub granted: Vec<String>,
    /// Requested scopes that were unchecked.
    pub declined: Vec<String>,
    /// Page slots that stayed checked.
    pub pages: Vec<usize>,
}

pub(crate) fn decision(params: &Params, requested: &[String], required: &[&str]) -> Decision {
    let checked: Vec<&str> = params.get_all("grant").collect();
    let (granted, declined) = requested
        .iter()
        .cloned()
        .partition(|s| required.contains(&s.as_str()) || checked.contains(&s.as_str()));
    let mut pages: Vec<usize> = params
        .get_all("page")
        .filter_map(|p| p.parse().ok())
        .collect();
    pages.sort_unstable();
    pages.dedup();
    Decision {
        user: normalize_username(params.get("sandbox_user").unwrap_or("demo")),
        allow: params.get("decision") == Some("allow"),
        granted,
        declined,
        pages,
    }
}

/// One line about a scope, for the consent page.
fn describe_scope(scope: &str) -> &'static str {
    match scope {
        "public_profile" => "your name and profile picture",
        "email" => "your email address",
        "pages_show_list" => "list the Pages you manage",
        "pages_read_engagement" => "read content and engagement of your Pages",
        "pages_manage_posts" => "create, edit and delete posts of your Pages",
        "pages_manage_engagement" => "manage comments and reactions on your Pages",
        "pages_read_user_engagement" => "read comments and reactions people leave on your Pages",
        "pages_manage_metadata" => "manage Page settings and webhooks",
        "pages_read_user_content" => "read content people post on your Pages",
        "pages_messaging" => "send and receive Page messages",
        "read_insights" => "read insights of your Pages",
        "business_management" => "manage your business assets",
        "publish_video" => "publish live videos to your Pages",
        "instagram_basic" => "read your Instagram profile and media",
        "instagram_content_publish" => "publish to your Instagram accounts",
        "instagram_manage_insights" => "read insights of your Instagram accounts",
        "instagram_manage_comments" => "manage comments on your Instagram accounts",
        "instagram_manage_messages" => "manage Instagram messages",
        "ads_management" => "manage your ad accounts",
        "ads_read" => "read your ad accounts (Pages you reach through a business portfolio)",
        "instagram_business_basic" => "your Instagram profile and media",
        "instagram_business_content_publish" => "publish content to your account",
        "instagram_business_manage_messages" => "manage and access your messages",
        "instagram_business_manage_comments" => "manage and access comments",
        "instagram_business_manage_insights" => "read insights of your account",
        "user.info.basic" => "your avatar and display name",
        "user.info.profile" => "your profile: bio, profile link, verification",
        "user.info.stats" => "your follower, following, like and video counts",
        "video.list" => "your public videos",
        "video.upload" => "upload videos to your drafts",
        "video.publish" => "post videos directly to your profile",
        "openid" => "associate you with your personal info",
        "https://www.googleapis.com/auth/userinfo.email" => "see your primary email address",
        "profile" | "https://www.googleapis.com/auth/userinfo.profile" => {
            "see your personal info, including what you made public"
        }
        "https://www.googleapis.com/auth/youtube" => "manage your YouTube account",
        "https://www.googleapis.com/auth/youtube.readonly" => "view your YouTube account",
        "https://www.googleapis.com/auth/youtube.upload" => "manage your YouTube videos",
        "https://www.googleapis.com/auth/youtube.force-ssl" => {
            "see, edit and delete your YouTube videos, ratings and comments"
        }
        "https://www.googleapis.com/auth/yt-analytics.readonly" => {
            "view YouTube Analytics reports for your content"
        }
        "https://www.googleapis.com/auth/drive.readonly" => "see and download all your Drive files",
        "https://www.googleapis.com/auth/drive.file" => {
            "see and edit the Drive files you use with this app"
        }
        "https://www.googleapis.com/auth/drive.metadata.readonly" => {
            "see information about your Drive files"
        }
        "https://www.googleapis.com/auth/drive" => {
            "see, edit, create and delete all your Drive files"
        }
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decision_keeps_required_scopes_and_splits_the_rest() {
        let params = Params::from_urlencoded(
            b"sandbox_user=Alice&grant=b&grant=zzz&page=1&page=0&page=x&decision=allow&state=s",
        );
        let requested = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()];
        let d = decision(&params, &requested, &["a"]);
        assert_eq!(d.user, "alice");
        assert!(d.allow);
        assert_eq!(d.granted, ["a", "b"]);
        assert_eq!(d.declined, ["c"]);
        assert_eq!(d.pages, [0, 1]);
        let hidden = hidden_params(&params);
        assert_eq!(hidden.len(), 1);
        assert_eq!(hidden[0].name, "state");
    }
}
