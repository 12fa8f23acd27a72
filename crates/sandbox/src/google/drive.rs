//! Google Drive v3 files: `files.list` with a subset of the `q` language
//! (`and`/`or`/`not`, parentheses; `name`, `mimeType`, `trashed`,
//! `starred`, `modifiedTime`, `createdTime`, `'id' in parents`), `fields`
//! masks, `pageSize`/`pageToken`; `files.get` metadata and `alt=media`
//! downloads honouring a single `Range`. Sizes are strings; the Google Docs
//! file refuses `alt=media` with `fileNotDownloadable`; metadata-only scopes
//! cannot download. All seeded files sit in one root folder.

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::{
    Reason, api_error, api_fault, bad_parameter, caller, has_any_scope, insufficient_permissions,
    json_response,
};
use crate::Sandbox;
use crate::oauth::{hex, sha256};
use crate::params::{FieldMask, Params, parse_field_mask};
use crate::seed::{DriveContent, DriveFile, google_time, google_user};

const ROOT_FOLDER: &str = "0ASandboxRootFolderUk9PVA";

const METADATA_SCOPES: &[&str] = &[
    "drive",
    "drive.readonly",
    "drive.file",
    "drive.metadata",
    "drive.metadata.readonly",
];
const CONTENT_SCOPES: &[&str] = &["drive", "drive.readonly", "drive.file"];

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route("/www.googleapis.com/drive/v3/files", get(list_files))
        .route("/www.googleapis.com/drive/v3/files/{id}", get(get_file))
}

fn parse_mask(params: &Params) -> Result<Option<FieldMask>, Response> {
    match params.non_empty("fields") {
        None => Ok(None),
        Some(raw) => parse_field_mask(raw).map(Some).ok_or_else(|| {
            bad_parameter(
                &format!("Invalid field selection {raw}"),
                "invalidParameter",
                "fields",
            )
        }),
    }
}

/// Whether a mask (None = default fields) asks for the file's checksum,
/// which costs hashing its bytes.
fn wants_checksum(mask: Option<&FieldMask>, in_list: bool) -> bool {
    let Some(mask) = mask else { return false };
    let file_mask = if in_list {
        mask.child("files")
    } else {
        Some(mask)
    };
    match file_mask {
        Some(FieldMask::All) => true,
        Some(m) => m.child("sha256Checksum").is_some(),
        None => false,
    }
}

fn file_json(file: &DriveFile, checksum: bool) -> Value {
    let mut out = Map::new();
    out.insert("kind".into(), json!("drive#file"));
    out.insert("id".into(), json!(file.id));
    out.insert("name".into(), json!(file.name));
    out.insert("mimeType".into(), json!(file.mime_type));
    out.insert("starred".into(), json!(false));
    out.insert("trashed".into(), json!(false));
    out.insert("parents".into(), json!([ROOT_FOLDER]));
    out.insert("createdTime".into(), json!(google_time(file.created)));
    out.insert("modifiedTime".into(), json!(google_time(file.modified)));
    out.insert(
        "webViewLink".into(),
        json!(format!(
            "https://drive.google.com/file/d/{}/view?usp=drivesdk",
            file.id
        )),
    );
    out.insert(
        "capabilities".into(),
        json!({"canDownload": true, "canEdit": true, "canCopy": true}),
    );
    if let Some(size) = file.size() {
        out.insert("size".into(), json!(size.to_string()));
        out.insert("originalFilename".into(), json!(file.name));
        if let Some((_, ext)) = file.name.rsplit_once('.') {
            out.insert("fileExtension".into(), json!(ext));
            out.insert("fullFileExtension".into(), json!(ext));
        }
    }
    if checksum && let Some(bytes) = file.bytes() {
        out.insert("sha256Checksum".into(), json!(hex(&sha256(&bytes))));
    }
    match file.content {
        DriveContent::Png { width, height, .. } => {
            out.insert(
                "imageMediaMetadata".into(),
                json!({"width": width, "height": height}),
            );
        }
        DriveContent::Mp4 {
            width,
            height,
            duration_ms,
            ..
        } => {
            out.insert(
                "videoMediaMetadata".into(),
                json!({"width": width, "height": height, "durationMillis": duration_ms.to_string()}),
            );
        }
        DriveContent::GoogleDoc => {}
    }
    Value::Object(out)
}

const DEFAULT_FILE_FIELDS: &[&str] = &["kind", "id", "name", "mimeType"];

fn default_file(value: &Value) -> Value {
    let mut out = Map::new();
    for key in DEFAULT_FILE_FIELDS {
        if let Some(v) = value.get(*key) {
            out.insert((*key).to_owned(), v.clone());
        }
    }
    Value::Object(out)
}

async fn list_files(
    State(sb): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let fault = sb.hit("drive.files_list").await;
    if let Some(response) = api_fault(fault, false) {
        return response;
    }
    let params = Params::from_query(query.as_deref());
    let record = match caller(&sb, &headers, &params) {
        Ok(r) => r,
        Err(response) => return response,
    };
    if !has_any_scope(&record, METADATA_SCOPES) {
        return insufficient_permissions();
    }
    let mask = match parse_mask(&params) {
        Ok(m) => m,
        Err(response) => return response,
    };
    let Ok(filter) = params.non_empty("q").map(parse_query).transpose() else {
        return api_error(
            StatusCode::BAD_REQUEST,
            "Invalid Value",
            Reason::new("Invalid Value", "global", "invalid").at("q", "parameter"),
        );
    };
    let page_size = match params.get("pageSize").map(str::parse::<usize>) {
        None => 100,
        Some(Ok(n)) if (1..=1000).contains(&n) => n,
        Some(_) => {
            return bad_parameter("Invalid value for pageSize", "invalid", "pageSize");
        }
    };
    let start = match params.non_empty("pageToken") {
        None => 0,
        Some(token) => match decode_page_token(token) {
            Some(n) => n,
            None => return bad_parameter("Invalid Value", "invalid", "pageToken"),
        },
    };
    let user = google_user(&record.user, &sb.config().public_base);
    let matching: Vec<&DriveFile> = user
        .files
        .iter()
        .filter(|f| filter.as_ref().is_none_or(|q| q.matches(f)))
        .collect();
    let checksum = wants_checksum(mask.as_ref(), true);
    let files: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(page_size)
        .map(|f| file_json(f, checksum))
        .collect();
    let mut body = json!({"kind": "drive#fileList", "incompleteSearch": false});
    if start + page_size < matching.len() {
        body["nextPageToken"] = json!(encode_page_token(start + page_size));
    }
    body["files"] = match &mask {
        Some(_) => Value::Array(files),
        None => Value::Array(files.iter().map(default_file).collect()),
    };
    let body = match &mask {
        Some(mask) => mask.apply(&body),
        None => body,
    };
    json_response(StatusCode::OK, body)
}

fn encode_page_token(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("sandbox-offset:{offset}"))
}

fn decode_page_token(token: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("sandbox-offset:")?
        .parse()
        .ok()
}

async fn get_file(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let fault = sb.hit("drive.files_get").await;
    if let Some(response) = api_fault(fault, false) {
        return response;
    }
    let params = Params::from_query(query.as_deref());
    let record = match caller(&sb, &headers, &params) {
        Ok(r) => r,
        Err(response) => return response,
    };
    if !has_any_scope(&record, METADATA_SCOPES) {
        return insufficient_permissions();
    }
    let user = google_user(&record.user, &sb.config().public_base);
    let Some(file) = user.files.iter().find(|f| f.id == id) else {
        let message = format!("File not found: {id}.");
        return api_error(
            StatusCode::NOT_FOUND,
            &message,
            Reason::new(message.clone(), "global", "notFound").at("fileId", "parameter"),
        );
    };
    if params.get("alt") == Some("media") {
        if !has_any_scope(&record, CONTENT_SCOPES) {
            return insufficient_permissions();
        }
        let Some(bytes) = file.bytes() else {
            let message = "Only files with binary content can be downloaded. Use Export with Docs Editors files.";
            return api_error(
                StatusCode::FORBIDDEN,
                message,
                Reason::new(message, "global", "fileNotDownloadable").at("alt", "parameter"),
            );
        };
        return media_response(file.mime_type, bytes, &headers);
    }
    let mask = match parse_mask(&params) {
        Ok(m) => m,
        Err(response) => return response,
    };
    let full = file_json(file, wants_checksum(mask.as_ref(), false));
    let body = match &mask {
        Some(mask) => mask.apply(&full),
        None => default_file(&full),
    };
    json_response(StatusCode::OK, body)
}

/// The bytes, or the part a single `Range: bytes=…` asks for (206), or 416.
fn media_response(mime: &str, bytes: Vec<u8>, headers: &HeaderMap) -> Response {
    let total = bytes.len();
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_range(v, total));
    let content_type =
        HeaderValue::from_str(mime).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    match range {
        None => {
            let mut response = (StatusCode::OK, bytes).into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, content_type);
            response
        }
        Some(Err(())) => {
            let mut response = api_error(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "Request range not satisfiable",
                Reason::new(
                    "Request range not satisfiable",
                    "global",
                    "requestedRangeNotSatisfiable",
                ),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{total}")) {
                response.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            response
        }
        Some(Ok((start, end))) => {
            let part = bytes[start..=end].to_vec();
            let mut response = (StatusCode::PARTIAL_CONTENT, part).into_response();
            let h = response.headers_mut();
            h.insert(header::CONTENT_TYPE, content_type);
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{total}")) {
                h.insert(header::CONTENT_RANGE, v);
            }
            response
        }
    }
}

/// A single byte range: Some(Ok((first, last))) inclusive, Some(Err) when
/// unsatisfiable, None when absent, malformed or multi-range (served whole).
fn parse_range(value: &str, total: usize) -> Option<Result<(usize, usize), ()>> {
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        let suffix: usize = last.parse().ok()?;
        if suffix == 0 || total == 0 {
            return Some(Err(()));
        }
        return Some(Ok((total.saturating_sub(suffix), total - 1)));
    }
    let start: usize = first.parse().ok()?;
    if start >= total {
        return Some(Err(()));
    }
    let end = if last.is_empty() {
        total - 1
    } else {
        let end: usize = last.parse().ok()?;
        if end < start {
            return None;
        }
        end.min(total - 1)
    };
    Some(Ok((start, end)))
}

// ---------------------------------------------------------------- q language

#[derive(Debug, Clone, PartialEq)]
enum Query {
    And(Box<Query>, Box<Query>),
    Or(Box<Query>, Box<Query>),
    Not(Box<Query>),
    Cmp {
        field: String,
        op: String,
        value: Literal,
    },
    InParents(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Str(String),
    Bool(bool),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Word(String),
    Str(String),
    Op(String),
}

fn tokenize(q: &str) -> Result<Vec<Tok>, ()> {
    let chars: Vec<char> = q.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Tok::Open);
                i += 1;
            }
            ')' => {
                out.push(Tok::Close);
                i += 1;
            }
            '\'' => {
                i += 1;
                let mut s = String::new();
                loop {
                    match chars.get(i) {
                        None => return Err(()),
                        Some('\\') => {
                            s.push(*chars.get(i + 1).ok_or(())?);
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            s.push(*ch);
                            i += 1;
                        }
                    }
                }
                out.push(Tok::Str(s));
            }
            '=' | '!' | '<' | '>' => {
                let mut op = c.to_string();
                if chars.get(i + 1) == Some(&'=') {
                    op.push('=');
                    i += 1;
                }
                if op == "!" {
                    return Err(());
                }
                out.push(Tok::Op(op));
                i += 1;
            }
            c if c.is_alphanumeric() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push(Tok::Word(chars[start..i].iter().collect()));
            }
            _ => return Err(()),
        }
    }
    Ok(out)
}

fn parse_query(q: &str) -> Result<Query, ()> {
    let tokens = tokenize(q)?;
    let mut pos = 0;
    let query = parse_or(&tokens, &mut pos)?;
    if pos == tokens.len() {
        Ok(query)
    } else {
        Err(())
    }
}

fn is_word(tok: Option<&Tok>, word: &str) -> bool {
    matches!(tok, Some(Tok::Word(w)) if w.eq_ignore_ascii_case(word))
}

fn parse_or(t: &[Tok], pos: &mut usize) -> Result<Query, ()> {
    let mut left = parse_and(t, pos)?;
    while is_word(t.get(*pos), "or") {
        *pos += 1;
        left = Query::Or(Box::new(left), Box::new(parse_and(t, pos)?));
    }
    Ok(left)
}

fn parse_and(t: &[Tok], pos: &mut usize) -> Result<Query, ()> {
    let mut left = parse_factor(t, pos)?;
    while is_word(t.get(*pos), "and") {
        *pos += 1;
        left = Query::And(Box::new(left), Box::new(parse_factor(t, pos)?));
    }
    Ok(left)
}

fn parse_factor(t: &[Tok], pos: &mut usize) -> Result<Query, ()> {
    if is_word(t.get(*pos), "not") {
        *pos += 1;
        return Ok(Query::Not(Box::new(parse_factor(t, pos)?)));
    }
    match t.get(*pos) {
        Some(Tok::Open) => {
            *pos += 1;
            let inner = parse_or(t, pos)?;
            if t.get(*pos) != Some(&Tok::Close) {
                return Err(());
            }
            *pos += 1;
            Ok(inner)
        }
        Some(Tok::Str(value)) => {
            // 'id' in parents
            if !is_word(t.get(*pos + 1), "in") || !is_word(t.get(*pos + 2), "parents") {
                return Err(());
            }
            *pos += 3;
            Ok(Query::InParents(value.clone()))
        }
        Some(Tok::Word(field)) => {
            let field = field.clone();
            if !matches!(
                field.as_str(),
                "name"
                    | "mimeType"
                    | "trashed"
                    | "starred"
                    | "modifiedTime"
                    | "createdTime"
                    | "fullText"
            ) {
                return Err(());
            }
            let op = match t.get(*pos + 1) {
                Some(Tok::Op(op)) => op.clone(),
                Some(Tok::Word(w)) if w.eq_ignore_ascii_case("contains") => "contains".into(),
                _ => return Err(()),
            };
            let value = match t.get(*pos + 2) {
                Some(Tok::Str(s)) => Literal::Str(s.clone()),
                Some(Tok::Word(w)) if w.eq_ignore_ascii_case("true") => Literal::Bool(true),
                Some(Tok::Word(w)) if w.eq_ignore_ascii_case("false") => Literal::Bool(false),
                _ => return Err(()),
            };
            *pos += 3;
            Ok(Query::Cmp { field, op, value })
        }
        _ => Err(()),
    }
}

fn parse_time(s: &str) -> Option<Timestamp> {
    s.parse().ok().or_else(|| format!("{s}Z").parse().ok())
}

impl Query {
    fn matches(&self, file: &DriveFile) -> bool {
        match self {
            Query::And(a, b) => a.matches(file) && b.matches(file),
            Query::Or(a, b) => a.matches(file) || b.matches(file),
            Query::Not(q) => !q.matches(file),
            Query::InParents(id) => id == "root" || id == ROOT_FOLDER,
            Query::Cmp { field, op, value } => match (field.as_str(), value) {
                ("trashed" | "starred", Literal::Bool(b)) => match op.as_str() {
                    "=" => !*b,
                    "!=" => *b,
                    _ => false,
                },
                ("name" | "mimeType" | "fullText", Literal::Str(s)) => {
                    let actual = if field == "mimeType" {
                        file.mime_type
                    } else {
                        file.name.as_str()
                    };
                    match op.as_str() {
                        "=" => actual == s,
                        "!=" => actual != s,
                        "contains" => actual.to_lowercase().contains(&s.to_lowercase()),
                        _ => false,
                    }
                }
                ("modifiedTime" | "createdTime", Literal::Str(s)) => {
                    let actual = if field == "modifiedTime" {
                        file.modified
                    } else {
                        file.created
                    };
                    let Some(other) = parse_time(s) else {
                        return false;
                    };
                    match op.as_str() {
                        "=" => actual == other,
                        "!=" => actual != other,
                        "<" => actual < other,
                        "<=" => actual <= other,
                        ">" => actual > other,
                        ">=" => actual >= other,
                        _ => false,
                    }
                }
                _ => false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(q: &str) -> Vec<String> {
        let query = parse_query(q).unwrap();
        google_user("demo", "http://x")
            .files
            .iter()
            .filter(|f| query.matches(f))
            .map(|f| f.name.clone())
            .collect()
    }

    #[test]
    fn q_filters_by_mime_type_with_boolean_logic() {
        assert_eq!(
            names("mimeType contains 'video/' and trashed = false"),
            ["bakery-tour.mp4", "studio-timelapse.mp4"]
        );
        assert_eq!(
            names("(mimeType contains 'image/' or mimeType contains 'video/') and not name contains 'latte'")
                .len(),
            4
        );
        assert_eq!(
            names("'root' in parents and name = 'latte-art.png'"),
            ["latte-art.png"]
        );
        assert_eq!(names("trashed = true"), Vec::<String>::new());
        assert_eq!(names("name contains 'It\\'s'"), Vec::<String>::new());
        assert!(parse_query("mimeType contains").is_err());
        assert!(parse_query("owner = 'x'").is_err());
        assert!(parse_query("(trashed = false").is_err());
    }

    #[test]
    fn ranges_follow_rfc_7233() {
        assert_eq!(parse_range("bytes=0-9", 100), Some(Ok((0, 9))));
        assert_eq!(parse_range("bytes=90-", 100), Some(Ok((90, 99))));
        assert_eq!(parse_range("bytes=-10", 100), Some(Ok((90, 99))));
        assert_eq!(parse_range("bytes=95-200", 100), Some(Ok((95, 99))));
        assert_eq!(parse_range("bytes=100-", 100), Some(Err(())));
        assert_eq!(parse_range("bytes=0-1,5-6", 100), None);
        assert_eq!(parse_range("items=0-1", 100), None);
    }
}
