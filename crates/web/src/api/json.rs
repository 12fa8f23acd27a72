//! `ApiJson<T>`: the API's JSON body extractor. Like axum's `Json`, it
//! takes only `application/json` (or a `+json` type) within the body
//! limit, but a body it refuses says where and why: a value of the wrong
//! shape is 422 `invalid_body` with its JSON path (`field`) and what the
//! parser expected there; text that is not JSON is 400 `malformed_json`.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use crate::WebError;
use crate::error::BodyProblem;

/// A JSON request body deserialised into `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        if !is_json(req.headers().get(header::CONTENT_TYPE)) {
            return Err(WebError::UnsupportedMediaType);
        }
        parse(&body(req, state).await?).map(ApiJson)
    }
}

/// A JSON body that may be left out: an empty body (with or without a
/// content type) is `T::default()`; anything else is read as [`ApiJson`].
#[derive(Debug, Clone, Copy, Default)]
pub struct OptionalApiJson<T>(pub T);

impl<T, S> FromRequest<S> for OptionalApiJson<T>
where
    T: DeserializeOwned + Default,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        let content_type = req.headers().get(header::CONTENT_TYPE).cloned();
        let bytes = body(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalApiJson(T::default()));
        }
        if !is_json(content_type.as_ref()) {
            return Err(WebError::UnsupportedMediaType);
        }
        parse(&bytes).map(OptionalApiJson)
    }
}

/// The request's body within the body limit.
async fn body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, WebError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.into_response().status() == StatusCode::PAYLOAD_TOO_LARGE {
            WebError::PayloadTooLarge
        } else {
            WebError::BadRequest {
                code: "bad_request",
            }
        }
    })
}

/// `application/json`, or a structured `+json` type, with any parameters.
fn is_json(content_type: Option<&header::HeaderValue>) -> bool {
    let Some(value) = content_type.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// `bytes` as a `T`, or where and why not.
fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WebError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let problem = BodyProblem {
            field: e.path().to_string(),
            expected: without_position(e.inner()),
        };
        match e.inner().classify() {
            Category::Data => WebError::InvalidBody(problem),
            Category::Syntax | Category::Eof | Category::Io => WebError::MalformedJson(problem),
        }
    })?;
    // Text after the value is not one JSON document.
    de.end().map_err(|e| {
        WebError::MalformedJson(BodyProblem {
            field: ".".to_owned(),
            expected: without_position(&e),
        })
    })?;
    Ok(value)
}

/// The parser's words without its "at line 1 column 40" (the path says
/// where).
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Post {
        targets: Vec<Target>,
    }

    #[derive(Debug, Deserialize)]
    struct Target {
        connection_id: String,
        variant: Variant,
    }

    #[derive(Debug, Deserialize)]
    struct Variant {
        format: Format,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "snake_case")]
    enum Format {
        Text,
        Image,
    }

    async fn extract(content_type: &str, body: &str) -> Result<Post, WebError> {
        let req = Request::builder()
            .method("POST")
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body.to_owned()))
            .unwrap();
        ApiJson::<Post>::from_request(req, &()).await.map(|j| j.0)
    }

    #[tokio::test]
    async fn a_value_of_the_wrong_shape_names_its_path() {
        let body = r#"{"targets": [{"connection_id": "c1", "variant": {"format": "text"}},
                                  {"connection_id": "c2", "variant": {"format": "photo"}}]}"#;
        let Err(WebError::InvalidBody(problem)) = extract("application/json", body).await else {
            panic!("refused as invalid");
        };
        assert_eq!(problem.field, "targets[1].variant.format");
        assert!(
            problem.expected.starts_with("unknown variant `photo`"),
            "{}",
            problem.expected
        );
        assert!(!problem.expected.contains("line"), "{}", problem.expected);
        // A missing field and a field of another type are named too.
        let Err(WebError::InvalidBody(problem)) = extract(
            "application/json",
            r#"{"targets": [{"variant": {"format": "text"}}]}"#,
        )
        .await
        else {
            panic!("refused as invalid");
        };
        assert_eq!(problem.field, "targets[0]");
        assert!(
            problem.expected.contains("connection_id"),
            "{}",
            problem.expected
        );
        let Err(WebError::InvalidBody(problem)) =
            extract("application/json", r#"{"targets": 3}"#).await
        else {
            panic!("refused as invalid");
        };
        assert_eq!(problem.field, "targets");
        let Err(WebError::InvalidBody(problem)) =
            extract("application/json", r#"{"targets": [], "extra": 1}"#).await
        else {
            panic!("refused as invalid");
        };
        assert!(problem.expected.contains("extra"), "{}", problem.expected);
    }

    #[tokio::test]
    async fn text_that_is_not_json_is_malformed_and_other_types_unsupported() {
        for body in ["{\"targets\": [", "not json", "{\"targets\": []} trailing"] {
            assert!(
                matches!(
                    extract("application/json", body).await,
                    Err(WebError::MalformedJson(_))
                ),
                "{body}"
            );
        }
        assert!(matches!(
            extract("text/plain", r#"{"targets": []}"#).await,
            Err(WebError::UnsupportedMediaType)
        ));
        let ok = extract(
            "application/vnd.api+json; charset=utf-8",
            r#"{"targets": []}"#,
        )
        .await
        .expect("a +json type is JSON");
        assert!(ok.targets.is_empty());
        let post = extract(
            "application/json",
            r#"{"targets": [{"connection_id": "c", "variant": {"format": "image"}}]}"#,
        )
        .await
        .expect("valid");
        assert_eq!(post.targets[0].connection_id, "c");
        assert_eq!(post.targets[0].variant.format, Format::Image);
    }

    #[test]
    fn the_error_status_and_code_follow_the_kind_of_problem() {
        let p = BodyProblem {
            field: "a".into(),
            expected: "b".into(),
        };
        assert_eq!(
            WebError::InvalidBody(p.clone()).status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(WebError::InvalidBody(p.clone()).code(), "invalid_body");
        assert_eq!(
            WebError::MalformedJson(p.clone()).status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(WebError::MalformedJson(p).code(), "malformed_json");
    }
}
