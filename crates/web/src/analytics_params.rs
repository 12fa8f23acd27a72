//! The analytics filter and its companions as query parameters, read the
//! same way by the dashboard, its CSV exports and the JSON API: every
//! value arrives as text and is parsed here, so a bad one is refused with
//! the parameter it is about (422), never silently replaced. An empty
//! value is "any" (what a GET form sends for its first option).

use herald_analytics::{AnalyticsError, Filter, Period, Platform, Rank};
use herald_core::{ConnectionId, PillarId};
use serde::Deserialize;

/// `period`, `account`, `platform`, `pillar`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FilterQuery {
    /// `7d`, `30d` (the default) or `90d`: the last 7, 30 or 90 days up to
    /// today (UTC), compared with as many days before.
    #[param(value_type = Option<String>, example = "30d")]
    pub period: Option<String>,
    /// One connected account of the workspace (its id).
    #[param(value_type = Option<String>)]
    pub account: Option<String>,
    /// `facebook`, `instagram`, `tiktok` or `youtube`.
    #[param(value_type = Option<String>)]
    pub platform: Option<String>,
    /// One content pillar of the workspace (its id): narrows the posts,
    /// the heat map and the funnel's post figures.
    #[param(value_type = Option<String>)]
    pub pillar: Option<String>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn invalid(field: &'static str, reason: &'static str) -> AnalyticsError {
    AnalyticsError::Invalid { field, reason }
}

/// A period code.
pub fn period(value: &Option<String>) -> Result<Period, AnalyticsError> {
    match given(value) {
        None => Ok(Period::default()),
        Some(v) => v.parse().map_err(|_| invalid("period", "7d, 30d or 90d")),
    }
}

/// An account id as Herald makes them (UUID text): anything else cannot
/// name an account, and is refused before any lookup.
pub fn account(value: &Option<String>) -> Result<Option<ConnectionId>, AnalyticsError> {
    let Some(v) = given(value) else {
        return Ok(None);
    };
    if v.len() > 64
        || !v
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(invalid("account", "the id of a connected account"));
    }
    Ok(Some(ConnectionId::from(v)))
}

pub fn platform(value: &Option<String>) -> Result<Option<Platform>, AnalyticsError> {
    given(value)
        .map(|v| {
            v.parse()
                .map_err(|_| invalid("platform", "facebook, instagram, tiktok or youtube"))
        })
        .transpose()
}

pub fn pillar(value: &Option<String>) -> Result<Option<PillarId>, AnalyticsError> {
    given(value)
        .map(|v| {
            v.parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .map(PillarId)
                .ok_or_else(|| invalid("pillar", "the id of a content pillar"))
        })
        .transpose()
}

/// How posts are ranked (`engagement_rate` by default).
pub fn rank(value: &Option<String>) -> Result<Rank, AnalyticsError> {
    match given(value) {
        None => Ok(Rank::default()),
        Some(v) => v
            .parse()
            .map_err(|_| invalid("rank", "engagement_rate, engagements, views or newest")),
    }
}

/// How many posts at each end of a ranking: 1 to 100, `default` when not
/// given.
pub fn limit(value: &Option<String>, default: u32) -> Result<u32, AnalyticsError> {
    match given(value) {
        None => Ok(default),
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=herald_analytics::query::MAX_LIMIT).contains(n))
            .ok_or_else(|| invalid("limit", "between 1 and 100")),
    }
}

/// An IANA time zone (`Europe/Berlin`).
pub fn time_zone(value: &str) -> Result<String, AnalyticsError> {
    let v = value.trim();
    if v.is_empty() || v.len() > 64 || jiff::tz::TimeZone::get(v).is_err() {
        return Err(invalid(
            "time_zone",
            "an IANA time zone such as Europe/Berlin",
        ));
    }
    Ok(v.to_owned())
}

/// Refuses a filter's pillar the workspace does not have: the account
/// figures have no pillar, so the summary alone would not notice.
pub async fn known_pillar(
    studio: &herald_studio::Studio,
    auth: &herald_accounts::Authorized,
    filter: &Filter,
) -> Result<(), crate::WebError> {
    if let Some(pillar) = filter.pillar
        && !studio.pillars(auth).await?.iter().any(|p| p.id == pillar)
    {
        return Err(AnalyticsError::PillarNotFound.into());
    }
    Ok(())
}

impl FilterQuery {
    pub fn filter(&self) -> Result<Filter, AnalyticsError> {
        Ok(Filter {
            period: period(&self.period)?,
            account: account(&self.account)?,
            platform: platform(&self.platform)?,
            pillar: pillar(&self.pillar)?,
        })
    }

    /// The filter as a query string (`period=30d&account=…`), for links
    /// that keep it: the period always, the rest when set.
    pub fn of(filter: &Filter) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("period", filter.period.into());
        if let Some(a) = &filter.account {
            q.append_pair("account", a.as_str());
        }
        if let Some(p) = filter.platform {
            q.append_pair("platform", p.into());
        }
        if let Some(p) = filter.pillar {
            q.append_pair("pillar", &p.to_string());
        }
        q.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(period: &str, account: &str, platform: &str, pillar: &str) -> FilterQuery {
        let s = |v: &str| Some(v.to_owned());
        FilterQuery {
            period: s(period),
            account: s(account),
            platform: s(platform),
            pillar: s(pillar),
        }
    }

    fn field(e: AnalyticsError) -> &'static str {
        match e {
            AnalyticsError::Invalid { field, .. } => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn empty_values_are_any_and_good_ones_are_read() {
        assert_eq!(q("", "", "", "").filter().unwrap(), Filter::default());
        let f = q("7d", "0190-ab_c", "tiktok", "12").filter().unwrap();
        assert_eq!(f.period, Period::Week);
        assert_eq!(f.account, Some(ConnectionId::from("0190-ab_c")));
        assert_eq!(f.platform, Some(Platform::TikTok));
        assert_eq!(f.pillar, Some(PillarId(12)));
        assert_eq!(
            FilterQuery::of(&f),
            "period=7d&account=0190-ab_c&platform=tiktok&pillar=12"
        );
        assert_eq!(FilterQuery::of(&Filter::default()), "period=30d");
    }

    #[test]
    fn a_bad_value_names_its_parameter() {
        assert_eq!(field(q("5y", "", "", "").filter().unwrap_err()), "period");
        assert_eq!(field(q("", "a b", "", "").filter().unwrap_err()), "account");
        assert_eq!(
            field(q("", &"x".repeat(65), "", "").filter().unwrap_err()),
            "account"
        );
        assert_eq!(
            field(q("", "", "myspace", "").filter().unwrap_err()),
            "platform"
        );
        assert_eq!(field(q("", "", "", "-1").filter().unwrap_err()), "pillar");
        assert_eq!(field(q("", "", "", "abc").filter().unwrap_err()), "pillar");
        assert_eq!(field(rank(&Some("best".into())).unwrap_err()), "rank");
        assert_eq!(field(limit(&Some("10000".into()), 5).unwrap_err()), "limit");
        assert_eq!(field(limit(&Some("0".into()), 5).unwrap_err()), "limit");
        assert_eq!(limit(&None, 5).unwrap(), 5);
        assert_eq!(limit(&Some("100".into()), 5).unwrap(), 100);
        assert_eq!(field(time_zone("Mars/Olympus").unwrap_err()), "time_zone");
        assert_eq!(time_zone("Europe/Berlin").unwrap(), "Europe/Berlin");
    }
}
