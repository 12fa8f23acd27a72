//! A small SMTP server for the tests: greeting, EHLO (offering AUTH PLAIN
//! and LOGIN), AUTH, MAIL FROM, RCPT TO, DATA, RSET, NOOP and QUIT on
//! 127.0.0.1. It records what it receives and can be told to refuse RCPT
//! or the end of DATA with a given reply code.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

pub const USER: &str = "herald";
pub const PASSWORD: &str = "p@ss word";

/// One message the server accepted.
#[derive(Debug, Clone)]
pub struct Received {
    /// The user that authenticated on the connection, if any.
    pub user: Option<String>,
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent after DATA, dot-unstuffed, lines ending in CRLF.
    pub data: String,
    /// A line of the DATA section ended in a bare LF.
    pub bare_lf: bool,
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    rcpt_reply: Option<u16>,
    data_reply: Option<u16>,
}

pub struct TestSmtp {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestSmtp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestSmtp {
    pub async fn start() -> TestSmtp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, shared.clone()));
            }
        });
        TestSmtp { addr, state, task }
    }

    /// `smtp://USER:PASSWORD@127.0.0.1:PORT` (the password percent-encoded).
    pub fn url(&self) -> String {
        format!("smtp://{USER}:p%40ss%20word@{}", self.addr)
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// Answer RCPT TO with `code` (None: accept).
    pub fn refuse_rcpt(&self, code: Option<u16>) {
        self.state.lock().unwrap().rcpt_reply = code;
    }

    /// Answer the end of DATA with `code` (None: accept).
    pub fn refuse_data(&self, code: Option<u16>) {
        self.state.lock().unwrap().data_reply = code;
    }
}

fn reply_text(code: u16) -> String {
    match code {
        451 => "451 4.3.0 Try again later\r\n".into(),
        550 => "550 5.1.1 Mailbox unavailable\r\n".into(),
        c => format!("{c} refused\r\n"),
    }
}

async fn session(stream: TcpStream, state: Arc<Mutex<State>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let mut user: Option<String> = None;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();

    macro_rules! send {
        ($s:expr) => {
            if write.write_all($s.as_bytes()).await.is_err() {
                return;
            }
        };
    }
    async fn read_line(lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Option<String> {
        let mut buf = Vec::new();
        match lines.read_until(b'\n', &mut buf).await {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(String::from_utf8_lossy(&buf).trim_end().to_owned()),
        }
    }
    let check = |u: &str, p: &str| (u == USER && p == PASSWORD).then(|| u.to_owned());
    let decode =
        |s: &str| String::from_utf8(B64.decode(s.trim()).unwrap_or_default()).unwrap_or_default();

    send!("220 test.local ESMTP ready\r\n");
    while let Some(line) = read_line(&mut lines).await {
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            send!("250-test.local\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n");
        } else if upper.starts_with("HELO") {
            send!("250 test.local\r\n");
        } else if upper.starts_with("AUTH PLAIN") {
            let initial = line[10..].trim().to_owned();
            let response = if initial.is_empty() {
                send!("334 \r\n");
                read_line(&mut lines).await.unwrap_or_default()
            } else {
                initial
            };
            let plain = decode(&response);
            let mut parts = plain.split('\0').skip(1);
            let (u, p) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            user = check(u, p);
            if user.is_some() {
                send!("235 2.7.0 Authentication successful\r\n");
            } else {
                send!("535 5.7.8 Authentication credentials invalid\r\n");
            }
        } else if upper.starts_with("AUTH LOGIN") {
            send!("334 VXNlcm5hbWU6\r\n");
            let u = decode(&read_line(&mut lines).await.unwrap_or_default());
            send!("334 UGFzc3dvcmQ6\r\n");
            let p = decode(&read_line(&mut lines).await.unwrap_or_default());
            user = check(&u, &p);
            if user.is_some() {
                send!("235 2.7.0 Authentication successful\r\n");
            } else {
                send!("535 5.7.8 Authentication credentials invalid\r\n");
            }
        } else if upper.starts_with("MAIL FROM:") {
            from = Some(address(&line[10..]));
            to.clear();
            send!("250 2.1.0 Ok\r\n");
        } else if upper.starts_with("RCPT TO:") {
            let refuse = state.lock().unwrap().rcpt_reply;
            match refuse {
                Some(code) => send!(reply_text(code)),
                None => {
                    to.push(address(&line[8..]));
                    send!("250 2.1.5 Ok\r\n");
                }
            }
        } else if upper == "DATA" {
            if from.is_none() || to.is_empty() {
                send!("503 5.5.1 Need MAIL and RCPT first\r\n");
                continue;
            }
            send!("354 End data with <CR><LF>.<CR><LF>\r\n");
            let mut data = String::new();
            let mut bare_lf = false;
            loop {
                let mut buf = Vec::new();
                match lines.read_until(b'\n', &mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
                if !buf.ends_with(b"\r\n") {
                    bare_lf = true;
                }
                let line = String::from_utf8_lossy(&buf).into_owned();
                if line == ".\r\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            let refuse = state.lock().unwrap().data_reply;
            match refuse {
                Some(code) => send!(reply_text(code)),
                None => {
                    state.lock().unwrap().received.push(Received {
                        user: user.clone(),
                        from: from.take().unwrap_or_default(),
                        to: std::mem::take(&mut to),
                        data,
                        bare_lf,
                    });
                    send!("250 2.0.0 Ok: queued\r\n");
                }
            }
        } else if upper == "RSET" {
            from = None;
            to.clear();
            send!("250 2.0.0 Ok\r\n");
        } else if upper == "NOOP" {
            send!("250 2.0.0 Ok\r\n");
        } else if upper == "QUIT" {
            send!("221 2.0.0 Bye\r\n");
            return;
        } else {
            send!("502 5.5.2 Command not recognised\r\n");
        }
    }
}

/// `<a@b> SIZE=…` → `a@b`.
fn address(arg: &str) -> String {
    let arg = arg.trim();
    match (arg.find('<'), arg.find('>')) {
        (Some(start), Some(end)) if start < end => arg[start + 1..end].to_owned(),
        _ => arg.split_whitespace().next().unwrap_or("").to_owned(),
    }
}
