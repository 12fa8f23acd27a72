//! Requests to URLs that people (or API callers) supply: outbound webhook
//! endpoints, and the media URLs the sandbox's simulated platforms download.
//! Such a URL must not turn Herald into a proxy into its own network, so
//! only public unicast addresses are dialled — no private, loopback,
//! link-local, unique-local, shared, multicast, documentation or cloud
//! metadata addresses — unless an administrator allows private targets.
//!
//! The check runs when a URL is accepted (on its host, see [`check_url`])
//! and again for every request: [`check_target`] judges a literal IP host
//! (the HTTP client does not resolve those), and [`GuardedResolver`], the
//! HTTP client's resolver, drops non-public addresses at connect time, so a
//! name that later resolves elsewhere (DNS rebinding) is still refused.
//! [`guarded_client`] is the one way to build such a client: the resolver,
//! no redirects (a redirect would be a second, unchecked target) and no
//! proxy from the environment.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// Whether requests may reach private networks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TargetPolicy {
    /// Public addresses only (the default).
    #[default]
    PublicOnly,
    /// Any address (an administrator's choice, e.g. for an intranet).
    AllowPrivate,
}

impl TargetPolicy {
    /// Whether `ip` may be dialled under this policy.
    pub fn allows(self, ip: IpAddr) -> bool {
        match self {
            TargetPolicy::PublicOnly => is_public(ip),
            TargetPolicy::AllowPrivate => true,
        }
    }
}

/// Whether `ip` is a public unicast address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], prefix: u32) -> bool {
    let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    const REFUSED: &[([u8; 4], u32)] = &[
        ([0, 0, 0, 0], 8),       // "this network", including 0.0.0.0
        ([10, 0, 0, 0], 8),      // private
        ([100, 64, 0, 0], 10),   // shared address space (carrier-grade NAT)
        ([127, 0, 0, 0], 8),     // loopback
        ([169, 254, 0, 0], 16),  // link-local, including cloud metadata 169.254.169.254
        ([172, 16, 0, 0], 12),   // private
        ([192, 0, 0, 0], 24),    // IETF protocol assignments
        ([192, 0, 2, 0], 24),    // documentation (TEST-NET-1)
        ([192, 88, 99, 0], 24),  // deprecated 6to4 relay anycast
        ([192, 168, 0, 0], 16),  // private
        ([198, 18, 0, 0], 15),   // benchmarking
        ([198, 51, 100, 0], 24), // documentation (TEST-NET-2)
        ([203, 0, 113, 0], 24),  // documentation (TEST-NET-3)
        ([224, 0, 0, 0], 4),     // multicast
        ([240, 0, 0, 0], 4),     // reserved, including broadcast 255.255.255.255
    ];
    !REFUSED.iter().any(|(net, prefix)| in_v4(ip, *net, *prefix))
}

fn in_v6(ip: Ipv6Addr, net: [u16; 8], prefix: u32) -> bool {
    let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
    u128::from(ip) & mask == u128::from(Ipv6Addr::from(net)) & mask
}

/// The IPv4 address in the low 32 bits.
fn low_v4(ip: Ipv6Addr) -> Ipv4Addr {
    Ipv4Addr::from(u128::from(ip) as u32)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if ip.is_unspecified() || ip.is_loopback() {
        return false;
    }
    // Forms that carry an IPv4 address are judged by that address:
    // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64
    // (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::/48).
    if in_v6(ip, [0, 0, 0, 0, 0, 0xffff, 0, 0], 96)
        || in_v6(ip, [0; 8], 96)
        || in_v6(ip, [0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96)
    {
        return is_public_v4(low_v4(ip));
    }
    if in_v6(ip, [0x2002, 0, 0, 0, 0, 0, 0, 0], 16) {
        return is_public_v4(Ipv4Addr::from((u128::from(ip) >> 80) as u32));
    }
    const REFUSED: &[([u16; 8], u32)] = &[
        ([0x2001, 0, 0, 0, 0, 0, 0, 0], 23), // IETF protocol assignments (Teredo, benchmarking, ORCHID…)
        ([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32), // documentation
        ([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20), // documentation (RFC 9637)
    ];
    // Only global unicast (2000::/3) is public; that leaves out unique-local
    // fc00::/7, link-local fe80::/10, site-local fec0::/10, multicast
    // ff00::/8, discard 100::/64, local NAT64 64:ff9b:1::/48 and everything
    // still unassigned.
    in_v6(ip, [0x2000, 0, 0, 0, 0, 0, 0, 0], 3)
        && !REFUSED.iter().any(|(net, prefix)| in_v6(ip, *net, *prefix))
}

/// Why an endpoint URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("the URL is not a valid absolute http(s) URL")]
    Invalid,
    #[error("only https:// URLs are allowed (http:// only when private targets are allowed)")]
    Scheme,
    #[error("the URL must not contain a user name or password")]
    Credentials,
    #[error("{0} is a private, loopback, link-local or otherwise non-public address")]
    Forbidden(String),
    #[error("the host {0} could not be resolved")]
    Unresolvable(String),
}

/// The checks that need no DNS: an absolute http(s) URL with a host, https
/// unless private targets are allowed, no credentials, and a literal IP host
/// allowed by `policy`. Run before every send, because the HTTP client does
/// not consult the resolver for literal IPs.
pub fn check_target(url: &url::Url, policy: TargetPolicy) -> Result<(), UrlError> {
    match url.scheme() {
        "https" => {}
        "http" if policy == TargetPolicy::AllowPrivate => {}
        "http" => return Err(UrlError::Scheme),
        _ => return Err(UrlError::Invalid),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlError::Credentials);
    }
    match url.host() {
        None => Err(UrlError::Invalid),
        Some(url::Host::Domain("")) => Err(UrlError::Invalid),
        Some(url::Host::Domain(_)) => Ok(()),
        Some(url::Host::Ipv4(ip)) => literal(IpAddr::V4(ip), policy),
        Some(url::Host::Ipv6(ip)) => literal(IpAddr::V6(ip), policy),
    }
}

fn literal(ip: IpAddr, policy: TargetPolicy) -> Result<(), UrlError> {
    if policy.allows(ip) {
        Ok(())
    } else {
        Err(UrlError::Forbidden(ip.to_string()))
    }
}

/// Checks an endpoint URL when it is saved: scheme, no credentials, and
/// every address the host resolves to (under [`TargetPolicy::PublicOnly`]
/// one non-public address is enough to refuse it). A name that does not
/// resolve is refused under either policy.
pub async fn check_url(url: &str, policy: TargetPolicy) -> Result<url::Url, UrlError> {
    let parsed = url::Url::parse(url.trim()).map_err(|_| UrlError::Invalid)?;
    check_target(&parsed, policy)?;
    if let Some(url::Host::Domain(name)) = parsed.host() {
        let port = parsed.port_or_known_default().unwrap_or(443);
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name, port))
            .await
            .map_err(|_| UrlError::Unresolvable(name.to_owned()))?
            .collect();
        if addrs.is_empty() {
            return Err(UrlError::Unresolvable(name.to_owned()));
        }
        if let Some(bad) = addrs.iter().find(|a| !policy.allows(a.ip())) {
            return Err(UrlError::Forbidden(format!("{name} ({})", bad.ip())));
        }
    }
    Ok(parsed)
}

/// A host name whose every address was refused at connect time.
#[derive(Debug, thiserror::Error)]
#[error("refused to connect to {host}: it resolves only to non-public addresses ({addrs})")]
pub struct ResolveRefused {
    pub host: String,
    /// The refused addresses, comma separated.
    pub addrs: String,
}

/// The HTTP client's resolver: resolves with the system resolver and, under
/// [`TargetPolicy::PublicOnly`], keeps only public addresses, failing when
/// none is left. Because it runs for every new connection, a name that
/// passed [`check_url`] and later points at a private address is refused.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    policy: TargetPolicy,
}

impl GuardedResolver {
    /// A resolver enforcing `policy`.
    pub fn new(policy: TargetPolicy) -> GuardedResolver {
        GuardedResolver { policy }
    }
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let (allowed, refused): (Vec<SocketAddr>, Vec<SocketAddr>) =
                resolved.into_iter().partition(|a| policy.allows(a.ip()));
            if allowed.is_empty() {
                if refused.is_empty() {
                    return Err(format!("{host} has no addresses").into());
                }
                let addrs = refused
                    .iter()
                    .map(|a| a.ip().to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(Box::new(ResolveRefused { host, addrs }) as _);
            }
            if !refused.is_empty() {
                tracing::warn!(host = %host, refused = refused.len(), "dropped non-public addresses of a requested host");
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// An HTTP client for supplied URLs: `policy` enforced by the resolver,
/// redirects not followed, no proxy, `timeout` per request. Callers still
/// run [`check_target`] before each request (literal IPs skip the
/// resolver).
pub fn guarded_client(
    policy: TargetPolicy,
    user_agent: &str,
    timeout: Duration,
) -> Result<reqwest::Client, reqwest::Error> {
    // reqwest is built with rustls and no bundled provider (the workspace's
    // choice); ring is in the tree already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(user_agent)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .timeout(timeout)
        .dns_resolver(GuardedResolver::new(policy))
        .build()
}

/// What fetching one of this instance's own public pages showed (the
/// operator's configured URL, so private addresses are allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// A 2xx answer over https.
    Ok,
    /// A 2xx answer, but over plain http: platforms require https.
    NotHttps,
    /// An answer with this status (redirects are not followed).
    Status(u16),
    /// No answer within the time allowed.
    Timeout,
    /// No connection (refused, or the name did not resolve).
    Unreachable,
}

/// GETs `url` once within `timeout`, following no redirect.
pub async fn probe_own_page(url: &str, timeout: Duration) -> Probe {
    let Ok(client) = guarded_client(TargetPolicy::AllowPrivate, "Herald self-check", timeout)
    else {
        return Probe::Unreachable;
    };
    match client.get(url).send().await {
        Err(e) if e.is_timeout() => Probe::Timeout,
        Err(_) => Probe::Unreachable,
        Ok(resp) if !resp.status().is_success() => Probe::Status(resp.status().as_u16()),
        Ok(_) if !url.starts_with("https://") => Probe::NotHttps,
        Ok(_) => Probe::Ok,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::dns::Resolve;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv4_special_ranges_are_not_public() {
        for s in [
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "10.255.255.255",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.8.9.10",
            "169.254.0.1",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.1",
            "192.0.0.170",
            "192.0.2.33",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
        ] {
            assert!(!is_public(ip(s)), "{s} was judged public");
        }
    }

    #[test]
    fn ordinary_ipv4_addresses_are_public() {
        for s in [
            "1.1.1.1",
            "8.8.8.8",
            "9.255.255.255",
            "11.0.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "126.255.255.255",
            "128.0.0.1",
            "169.253.255.255",
            "172.15.255.255",
            "172.32.0.1",
            "192.0.1.1",
            "192.167.255.255",
            "192.169.0.1",
            "198.17.255.255",
            "198.20.0.1",
            "203.0.114.1",
            "223.255.255.255",
        ] {
            assert!(is_public(ip(s)), "{s} was judged non-public");
        }
    }

    #[test]
    fn ipv6_special_ranges_are_not_public() {
        for s in [
            "::",
            "::1",
            "fc00::1",
            "fd12:3456:789a::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "ff02::1",
            "ff0e::1",
            "2001:db8::1",
            "2001:db8:ffff::1",
            "2001::1",
            "2001:2::1",
            "3fff::1",
            "100::1",
            "64:ff9b:1::1",
            // IPv4 forms judged by the address they carry.
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "::192.168.0.1",
            "64:ff9b::10.1.2.3",
            "64:ff9b::127.0.0.1",
            "2002:7f00:1::1",
            "2002:a9fe:a9fe::1",
        ] {
            assert!(!is_public(ip(s)), "{s} was judged public");
        }
    }

    #[test]
    fn global_ipv6_and_ipv4_forms_of_public_addresses_are_public() {
        for s in [
            "2606:4700:4700::1111",
            "2a00:1450:4001:80b::200e",
            "2001:4860:4860::8888",
            "::ffff:8.8.8.8",
            "::8.8.8.8",
            "64:ff9b::1.1.1.1",
            "2002:808:808::1",
        ] {
            assert!(is_public(ip(s)), "{s} was judged non-public");
        }
    }

    #[tokio::test]
    async fn literal_non_public_hosts_are_refused_under_public_only() {
        for url in [
            "https://127.0.0.1/hook",
            "https://10.0.0.1/hook",
            "https://[::1]/hook",
            "https://169.254.169.254/latest/meta-data/",
            "https://[::ffff:127.0.0.1]/",
            "https://2130706433/", // 127.0.0.1 written as one number
            "https://0x7f.1/",
            "https://0.0.0.0/",
        ] {
            assert!(
                matches!(
                    check_url(url, TargetPolicy::PublicOnly).await,
                    Err(UrlError::Forbidden(_))
                ),
                "{url} was not refused"
            );
        }
    }

    #[tokio::test]
    async fn public_literal_hosts_pass_without_dns() {
        let u = check_url("https://8.8.8.8:8443/hook?x=1", TargetPolicy::PublicOnly)
            .await
            .unwrap();
        assert_eq!(u.as_str(), "https://8.8.8.8:8443/hook?x=1");
        check_url("https://[2606:4700:4700::1111]/", TargetPolicy::PublicOnly)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn scheme_and_credentials_are_checked() {
        let p = TargetPolicy::PublicOnly;
        assert_eq!(check_url("http://8.8.8.8/", p).await, Err(UrlError::Scheme));
        assert_eq!(check_url("ftp://8.8.8.8/", p).await, Err(UrlError::Invalid));
        assert_eq!(check_url("/relative", p).await, Err(UrlError::Invalid));
        assert_eq!(check_url("not a url", p).await, Err(UrlError::Invalid));
        assert_eq!(
            check_url("mailto:a@example.com", p).await,
            Err(UrlError::Invalid)
        );
        assert_eq!(
            check_url("https://user:pw@8.8.8.8/", p).await,
            Err(UrlError::Credentials)
        );
        assert_eq!(
            check_url("https://user@8.8.8.8/", p).await,
            Err(UrlError::Credentials)
        );
        // Private targets allowed: plain http and loopback are fine.
        let a = TargetPolicy::AllowPrivate;
        check_url("http://127.0.0.1:8080/hook", a).await.unwrap();
        check_url("http://[::1]:8080/hook", a).await.unwrap();
        assert_eq!(
            check_url("http://u:p@127.0.0.1/", a).await,
            Err(UrlError::Credentials)
        );
    }

    #[tokio::test]
    async fn localhost_by_name_is_refused_unless_private_targets_are_allowed() {
        match check_url("https://localhost:8443/hook", TargetPolicy::PublicOnly).await {
            Err(UrlError::Forbidden(what)) => assert!(what.starts_with("localhost ("), "{what}"),
            other => panic!("localhost was not refused: {other:?}"),
        }
        check_url("http://localhost:8443/hook", TargetPolicy::AllowPrivate)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn an_unresolvable_name_is_refused() {
        assert_eq!(
            check_url("https://no-such-host.invalid/", TargetPolicy::AllowPrivate).await,
            Err(UrlError::Unresolvable("no-such-host.invalid".into()))
        );
    }

    #[test]
    fn check_target_judges_literal_hosts_before_each_send() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert_eq!(
            check_target(&u("https://127.0.0.1/"), TargetPolicy::PublicOnly),
            Err(UrlError::Forbidden("127.0.0.1".into()))
        );
        assert_eq!(
            check_target(&u("https://[fe80::1]/"), TargetPolicy::PublicOnly),
            Err(UrlError::Forbidden("fe80::1".into()))
        );
        assert_eq!(
            check_target(&u("http://127.0.0.1/"), TargetPolicy::PublicOnly),
            Err(UrlError::Scheme)
        );
        // Names are left to the resolver.
        check_target(&u("https://localhost/"), TargetPolicy::PublicOnly).unwrap();
        check_target(&u("http://127.0.0.1/"), TargetPolicy::AllowPrivate).unwrap();
    }

    #[tokio::test]
    async fn the_resolver_refuses_names_with_only_private_addresses() {
        let guarded = GuardedResolver::new(TargetPolicy::PublicOnly);
        let err = match guarded.resolve("localhost".parse().unwrap()).await {
            Ok(addrs) => panic!("localhost resolved to {:?}", addrs.collect::<Vec<_>>()),
            Err(e) => e,
        };
        let refused = err
            .downcast_ref::<ResolveRefused>()
            .expect("a ResolveRefused");
        assert_eq!(refused.host, "localhost");
        assert!(
            err.to_string()
                .starts_with("refused to connect to localhost")
        );

        let open = GuardedResolver::new(TargetPolicy::AllowPrivate);
        let addrs: Vec<SocketAddr> = open
            .resolve("localhost".parse().unwrap())
            .await
            .unwrap()
            .collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()) && !addrs.is_empty());
    }
}
