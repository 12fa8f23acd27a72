//! Pages that tell the truth: every claim of the landing page and every
//! getting-started step leads to a page that exists, the privacy notice
//! states the retention the job enforces, and the privacy notice and terms
//! name the operator this instance was configured with.

use herald_web::i18n::{Locale, catalog};
use reqwest::StatusCode;

use crate::helpers::*;

/// The `href`s of the `<a>`s with `class="{class}"` (or inside the element
/// with that class, for `ol.steps`/`nav`).
fn links_after(html: &str, marker: &str) -> Vec<String> {
    html.split(marker)
        .skip(1)
        .filter_map(|rest| rest.split("href=\"").nth(1))
        .filter_map(|rest| rest.split('"').next())
        .map(|href| href.replace("&amp;", "&"))
        .collect()
}

/// Undoes the escaping askama applies to text.
fn unescape(html: &str) -> String {
    html.replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn every_claim_of_the_landing_page_and_every_step_leads_to_a_page_that_exists() {
    let app = spawn_app().await;
    let user = app.signed_in("claims@example.com").await;
    let landing = app.get("/").await.text().await.unwrap();
    let features = links_after(&landing, "class=\"feature-link\"");
    assert_eq!(
        features.len(),
        herald_web::pages::FEATURES.len(),
        "each feature of the landing page links to where it is: {landing}"
    );
    let home = user
        .get(app.url("/home"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let steps_html = home
        .split("<ol class=\"steps\">")
        .nth(1)
        .and_then(|rest| rest.split("</ol>").next())
        .expect("the getting-started steps");
    let steps = links_after(steps_html, "<li");
    assert_eq!(steps.len(), 5, "{steps_html}");
    let rail_html = home
        .split("<nav")
        .nth(1)
        .and_then(|rest| rest.split("</nav>").next())
        .expect("the rail");
    let rail = links_after(rail_html, "<a ");
    assert!(rail.len() >= 4, "{rail_html}");
    for href in features.iter().chain(&steps).chain(&rail) {
        assert!(href.starts_with('/'), "a link of this site: {href}");
        let resp = user.get(app.url(href)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{href} exists");
        let body = resp.text().await.unwrap();
        assert!(body.contains("<h1"), "{href} is a page with a heading");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_privacy_notice_states_every_retention_period_the_job_enforces() {
    let app = spawn_app().await;
    let policy = herald::retention::policy(&herald_accounts::Settings::new(app.base.clone()));
    assert!(policy.len() >= 10, "{policy:?}");
    for (locale, lang) in [(Locale::En, "en"), (Locale::De, "de")] {
        let t = catalog(locale);
        let html = new_client()
            .get(app.url("/privacy"))
            .header("accept-language", lang)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let html = unescape(&html);
        for kept in &policy {
            assert!(
                t.has(&format!("retention.{}", kept.code)),
                "{} has no words in {lang}",
                kept.code
            );
            let said = t.retention(kept);
            assert!(
                html.contains(&format!("<li>{said}</li>")),
                "the {lang} notice states {said:?}"
            );
        }
    }
    // The numbers themselves, as a reader sees them.
    let html = unescape(&app.get("/privacy").await.text().await.unwrap());
    for said in [
        "Received platform events and delivery logs: 30 days.",
        "Mail Herald sent you: 30 days;",
        "(7 days unused, 30 days at most)",
        "(60 days unused, 180 days at most)",
        "Invitations: until accepted, 7 days at most.",
        "Platform connections being set up: 10 minutes.",
        "The audit log: 365 days.",
    ] {
        assert!(html.contains(said), "{said}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_privacy_notice_and_terms_name_the_configured_operator() {
    let app = spawn_production_app(&[
        ("HERALD_OPERATOR_NAME", "Example Media GmbH"),
        ("HERALD_OPERATOR_CONTACT", "privacy@example.com"),
    ])
    .await;
    for page in ["/privacy", "/terms"] {
        let html = app.get(page).await.text().await.unwrap();
        assert!(
            html.contains(
                "This instance is run by Example Media GmbH. Write to them at privacy@example.com."
            ),
            "{page}"
        );
    }
    app.stop().await;

    let app = spawn_production_app(&[]).await;
    let html = unescape(&app.get("/privacy").await.text().await.unwrap());
    assert!(
        html.contains(catalog(Locale::En).get("public.operator_unknown")),
        "without an operator the notice says so"
    );
    app.stop().await;
}

/// The `<li>` of a check on the review page, within `scope`.
fn check<'a>(scope: &'a str, label: &str) -> &'a str {
    scope
        .split(&format!("data-check=\"{label}\""))
        .nth(1)
        .and_then(|rest| rest.split("</li>").next())
        .unwrap_or_else(|| panic!("no check {label} in {scope}"))
}

/// The card of one platform's app on the review page.
fn app_card<'a>(html: &'a str, slug: &str) -> &'a str {
    html.split(&format!("data-app=\"{slug}\""))
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .unwrap_or_else(|| panic!("no card for {slug}"))
}

#[tokio::test]
async fn the_review_page_lists_this_instances_urls_and_permissions_with_live_checks() {
    let app = spawn_production_app(&[
        ("HERALD_META_APP_ID", "1234567890"),
        (
            "HERALD_META_APP_SECRET",
            "a-real-looking-meta-app-secret-0123456789",
        ),
        (
            "HERALD_META_VERIFY_TOKEN",
            "a-verify-token-for-the-review-test",
        ),
        ("HERALD_OPERATOR_NAME", "Example Media GmbH"),
        ("HERALD_OPERATOR_CONTACT", "privacy@example.com"),
    ])
    .await;
    let owner = app.signed_in("reviewer@example.com").await;
    let resp = owner
        .get(app.url("/home/settings/review"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let html = unescape(&resp.text().await.unwrap());
    let base = &app.base;

    // The instance: production, operator named; the pages answer, but the
    // test server is plain http, which no platform accepts.
    assert!(check(&html, "review.check_mode").contains("data-ok=\"true\""));
    assert!(check(&html, "review.check_operator").contains("Example Media GmbH"));
    let privacy = check(&html, "review.check_privacy");
    assert!(privacy.contains("data-ok=\"false\""), "{privacy}");
    assert!(
        privacy.contains(&format!("{base}/privacy answers, but not over https")),
        "{privacy}"
    );

    // Facebook Login: a real app, every address of this instance, each
    // permission with what uses it.
    let facebook = app_card(&html, "facebook");
    assert!(facebook.starts_with(" data-status=\"real\""), "{facebook}");
    for url in [
        format!("{base}/oauth/facebook/callback"),
        format!("{base}/webhooks/meta"),
        format!("{base}/webhooks/meta/deauthorize"),
        format!("{base}/webhooks/meta/data-deletion"),
        format!("{base}/privacy/data-deletion"),
        format!("{base}/privacy"),
        format!("{base}/terms"),
    ] {
        assert!(
            facebook.contains(&format!("<code data-url>{url}</code>")),
            "{url}"
        );
    }
    for scope in herald_platforms::info(herald_platforms::ProviderId::Facebook).scopes {
        let row = facebook
            .split(&format!("data-scope=\"{}\"", scope.scope))
            .nth(1)
            .and_then(|rest| rest.split("</tr>").next())
            .unwrap_or_else(|| panic!("{} is listed", scope.scope));
        let purpose = catalog(Locale::En).text(&format!("review.purpose.{}", scope.purpose));
        assert!(row.contains(purpose), "{}: {row}", scope.scope);
    }
    assert!(check(facebook, "review.check_credentials").contains("data-ok=\"true\""));
    assert!(check(facebook, "review.check_verify_token").contains("data-ok=\"true\""));
    // Instagram Login has its own addresses; TikTok and YouTube have no app
    // and, in production, no sandbox.
    let instagram = app_card(&html, "instagram");
    assert!(instagram.contains(&format!("{base}/webhooks/instagram/data-deletion")));
    assert!(!instagram.contains("/webhooks/meta"), "{instagram}");
    for slug in ["instagram", "tiktok", "youtube"] {
        let card = app_card(&html, slug);
        assert!(card.starts_with(" data-status=\"off\""), "{slug}: {card}");
        assert!(check(card, "review.check_credentials").contains("data-ok=\"false\""));
    }
    let tiktok = app_card(&html, "tiktok");
    assert!(
        !tiktok.contains("/webhooks/"),
        "TikTok has no Meta callbacks"
    );
    app.stop().await;
}
