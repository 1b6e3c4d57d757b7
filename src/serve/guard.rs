//! What keeps the local page local: only loopback Host names (no DNS rebinding), and a CSRF
//! token on every write.
//!
//! The server binds 127.0.0.1 only; a page elsewhere could still make a browser send requests
//! to it, under its own host name after a DNS rebinding, or as a cross-site form post. So every
//! request whose `Host` is not `127.0.0.1`, `localhost` or `[::1]` (any port) is refused with
//! 403, and every POST must carry the token this server drew at start (the form field `csrf`,
//! checked by each action before it reads anything else); the token is only ever written into
//! our own pages.

use axum::http::{HeaderMap, Method, StatusCode, header};

/// The loopback names a request may address us by.
pub fn host_allowed(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else { return false };
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((inner, port)) if port.is_empty() || port.strip_prefix(':').is_some_and(|p| p.chars().all(|c| c.is_ascii_digit())) => return inner == "::1",
            _ => return false,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
            Some(_) => return false,
            None => host,
        }
    };
    name.eq_ignore_ascii_case("localhost") || name == "127.0.0.1"
}

/// A fresh token: 32 random bytes, hex.
pub fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares in time independent of where the strings differ.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The refusal of a request, if it must be refused before any handler sees it: a foreign
/// Host, or a method other than GET, HEAD and POST.
pub fn refuse(method: &Method, headers: &HeaderMap) -> Option<(StatusCode, &'static str)> {
    if !host_allowed(headers) {
        return Some((StatusCode::FORBIDDEN, "refused: this server answers only to 127.0.0.1, localhost or [::1] (Host header)\n"));
    }
    if method != Method::GET && method != Method::HEAD && method != Method::POST {
        return Some((StatusCode::METHOD_NOT_ALLOWED, "only GET and POST\n"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_host(h: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(header::HOST, h.parse().unwrap());
        m
    }

    /// Loopback names pass with or without a port; anything else, a missing Host included, does not.
    #[test]
    fn only_loopback_hosts_pass() {
        for ok in ["127.0.0.1:8765", "localhost:1", "LOCALHOST", "[::1]:8765", "[::1]", "127.0.0.1"] {
            assert!(host_allowed(&with_host(ok)), "{ok}");
        }
        for bad in ["evil.example", "evil.example:8765", "127.0.0.1.evil.example:80", "localhost.evil:8765", "[::2]:1", "127.0.0.2:8765", "localhost:x"] {
            assert!(!host_allowed(&with_host(bad)), "{bad}");
        }
        assert!(!host_allowed(&HeaderMap::new()));
        assert_eq!(new_token().len(), 64);
        assert_ne!(new_token(), new_token());
        assert!(same_token("abc", "abc") && !same_token("abc", "abd") && !same_token("abc", "ab"));
    }
}
