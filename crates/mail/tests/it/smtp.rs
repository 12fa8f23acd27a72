//! `SmtpTransport` against the test SMTP server: what arrives, and how
//! refusals and network failures are classified.

use std::time::{Duration, Instant};

use herald_mail::{
    MailId, MailState, MailTransport, SendError, SmtpOptions, SmtpTransport, StoredMail,
};
use tokio::net::TcpListener;

use crate::helpers::{FROM, t0, verify_mail};
use crate::smtp_server::{TestSmtp, USER};

fn stored(to: &str) -> StoredMail {
    let mail = verify_mail(to);
    StoredMail {
        id: MailId(7),
        kind: mail.kind.to_owned(),
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        state: MailState::Pending,
        attempts: 0,
        last_error: None,
        created_at: t0(),
        sent_at: None,
    }
}

fn transport(url: &str) -> SmtpTransport {
    let mut options = SmtpOptions::parse(url).unwrap();
    options.connect_timeout = Duration::from_secs(5);
    options.send_timeout = Duration::from_secs(10);
    SmtpTransport::new(&options, FROM).unwrap()
}

#[tokio::test]
async fn smtp_delivers_an_authenticated_multipart_message() {
    let server = TestSmtp::start().await;
    let smtp = transport(&server.url());
    smtp.send(&stored("Ada Lovelace <ada@example.com>"))
        .await
        .unwrap();

    let received = server.received();
    assert_eq!(received.len(), 1);
    let m = &received[0];
    assert_eq!(m.user.as_deref(), Some(USER), "authenticated");
    assert_eq!(m.from, "no-reply@example.com");
    assert_eq!(m.to, ["ada@example.com"]);
    assert!(!m.bare_lf, "every line ends in CRLF:\n{}", m.data);
    let data = &m.data;
    assert!(
        data.contains("From: Herald <no-reply@example.com>\r\n"),
        "{data}"
    );
    assert!(
        data.contains("To: \"Ada Lovelace\" <ada@example.com>\r\n")
            || data.contains("To: Ada Lovelace <ada@example.com>\r\n"),
        "{data}"
    );
    assert!(data.contains("Subject: Confirm your address\r\n"), "{data}");
    assert!(data.contains("Message-ID: <herald.mail.7."), "{data}");
    assert!(
        data.contains("Content-Type: multipart/alternative;"),
        "{data}"
    );
    assert!(
        data.contains("Content-Type: text/plain; charset=utf-8\r\n"),
        "{data}"
    );
    assert!(
        data.contains("Content-Type: text/html; charset=utf-8\r\n"),
        "{data}"
    );
    // The text part, with LF turned into CRLF and the leading dot intact
    // after unstuffing.
    assert!(
        data.contains("confirm your address:\r\nhttps://herald.example/verify?token=abc123\r\n.a line with a leading dot\r\n"),
        "{data}"
    );
    // lettre picks quoted-printable for the HTML part.
    let html_part = data.split("Content-Type: text/html").nth(1).unwrap();
    assert!(
        quoted_printable_decode(html_part).contains(
            "<a href=\"https://herald.example/verify?token=abc123\">Confirm your address</a>"
        ),
        "{data}"
    );
    let plain = data.find("text/plain").unwrap();
    let html = data.find("text/html").unwrap();
    assert!(
        plain < html,
        "the plain-text part comes first (the least preferred)"
    );
}

#[tokio::test]
async fn a_451_is_transient_and_a_550_is_permanent_at_rcpt_and_at_data() {
    let server = TestSmtp::start().await;
    let smtp = transport(&server.url());
    let mail = stored("ada@example.com");
    for (stage, code, transient) in [
        ("rcpt", 451, true),
        ("rcpt", 550, false),
        ("data", 451, true),
        ("data", 550, false),
    ] {
        server.refuse_rcpt((stage == "rcpt").then_some(code));
        server.refuse_data((stage == "data").then_some(code));
        let err = smtp.send(&mail).await.unwrap_err();
        assert_eq!(err.is_transient(), transient, "{stage} {code}: {err:?}");
        let described = err.describe();
        assert!(described.contains(&code.to_string()), "{described}");
        assert!(!described.contains("token=abc123"), "no body in errors");
    }
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn a_closed_port_is_transient() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let smtp = transport(&format!("smtp://{addr}"));
    let err = smtp.send(&stored("ada@example.com")).await.unwrap_err();
    assert!(matches!(err, SendError::Transient(_)), "{err:?}");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_as_transient() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // Accepts connections and says nothing.
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let mut options = SmtpOptions::parse(&format!("smtp://{addr}")).unwrap();
    options.send_timeout = Duration::from_millis(300);
    let smtp = SmtpTransport::new(&options, FROM).unwrap();
    let started = Instant::now();
    let err = smtp.send(&stored("ada@example.com")).await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert!(err.describe().contains("took longer"), "{}", err.describe());
    assert!(started.elapsed() < Duration::from_secs(5));
    silent.abort();
}

#[tokio::test]
async fn a_wrong_password_is_retried_because_it_is_our_configuration_not_the_mail() {
    let server = TestSmtp::start().await;
    let smtp = transport(&format!("smtp://{USER}:wrong@{}", server.addr));
    let err = smtp.send(&stored("ada@example.com")).await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert!(err.describe().contains("535"), "{}", err.describe());
    assert!(!err.describe().contains("wrong"), "{}", err.describe());
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn a_malformed_stored_recipient_is_permanent() {
    let server = TestSmtp::start().await;
    let smtp = transport(&server.url());
    let err = smtp.send(&stored("not an address")).await.unwrap_err();
    assert!(!err.is_transient(), "{err:?}");
}

/// Soft line breaks removed and `=XX` escapes decoded (enough for ASCII).
fn quoted_printable_decode(s: &str) -> String {
    let s = s.replace("=\r\n", "");
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '=' {
            let hex: String = chars.by_ref().take(2).collect();
            out.push(u8::from_str_radix(&hex, 16).map_or('?', char::from));
        } else {
            out.push(c);
        }
    }
    out
}
