//! The normaliser: what the suite compares of a reply, with only the values that differ
//! between two runs by nature masked, and nothing else.
//!
//! Masked everywhere (in header values, bodies and WebSocket messages):
//! - ISO 8601 timestamps of the run (`2026-11-25T21:01:06.879Z`): those dated within a
//!   day of now (a timestamp a delta carries from elsewhere, like `2020-01-02T…`, is
//!   compared as is);
//! - UUIDs (the server's self vessel, REST PUT request ids, server start ids): random;
//! - the port after `127.0.0.1:` / `localhost:`: chosen per run.
//!
//! Members masked in JSON: `polls`, the probe's poll counter, which follows the real
//! server's 1 s timer (the mock host polls only when told to).
//!
//! Headers left out of every comparison: `date`, `connection`, `keep-alive` and
//! `transfer-encoding` (transport: how Node framed the bytes, not what they say).
//! Headers the server puts on every reply whatever the route — helmet's security
//! headers, the CORS pair, compression's `vary`, and Express's weak `etag` (a hash of
//! the body, which is compared itself) — are compared only by the scenarios that ask
//! for `all_headers`, so a difference there is reported once, not on every HTTP
//! scenario. There, a body whose text was masked has its `etag` masked too (the tag
//! hashes the unmasked bytes).
//!
//! A body is compared as JSON when it is JSON on both sides (member order aside), else
//! as exact text.

use serde_json::{Map, Value, json};

/// Transport headers, never compared. `transfer-encoding` is Node's framing of a reply
/// sent without a length; whether a reply has a `content-length` is still compared, and
/// so are the body bytes.
const TRANSPORT: [&str; 4] = ["date", "connection", "keep-alive", "transfer-encoding"];

/// Headers signalk-server 2.32.0 sets on every reply (helmet, CORS): compared only by
/// scenarios that ask for all headers.
const SERVER_WIDE: [&str; 13] = [
    "origin-agent-cluster",
    "referrer-policy",
    "strict-transport-security",
    "x-content-type-options",
    "x-dns-prefetch-control",
    "x-download-options",
    "x-permitted-cross-domain-policies",
    "x-xss-protection",
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "x-powered-by",
    // compression's `vary` goes on every compressible reply.
    "vary",
    // Express's weak ETag is a hash of the body, which is compared anyway.
    "etag",
];

/// JSON members whose value is by nature different between runs.
const BY_NATURE_MEMBERS: [&str; 1] = ["polls"];

/// An HTTP reply as the suite compares it:
/// `{"status", "headers": {name: value}, "body": JSON or text}`.
pub fn http(status: u16, headers: &[(String, String)], body: &[u8], all_headers: bool) -> Value {
    let text = String::from_utf8_lossy(body);
    let masked = mask(&text);
    let body_was_masked = masked != text;
    let mut kept = Map::new();
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        if TRANSPORT.contains(&name.as_str())
            || (!all_headers && SERVER_WIDE.contains(&name.as_str()))
        {
            continue;
        }
        let value = if name == "etag" && body_was_masked {
            "<etag of a masked body>".to_owned()
        } else {
            mask(value)
        };
        // A repeated header is kept whole, in order.
        match kept.get_mut(&name) {
            Some(Value::String(prev)) => {
                prev.push_str(", ");
                prev.push_str(&value);
            }
            _ => {
                kept.insert(name, Value::String(value));
            }
        }
    }
    let body = match serde_json::from_str::<Value>(&masked) {
        Ok(json) if !masked.trim().is_empty() => mask_members(json),
        _ => Value::String(masked),
    };
    json!({"status": status, "headers": kept, "body": body})
}

/// The messages of one WebSocket PUT, masked.
pub fn ws(messages: &[Value]) -> Value {
    Value::Array(
        messages
            .iter()
            .map(|m| {
                let text = mask(&m.to_string());
                serde_json::from_str(&text).map_or(Value::String(text), mask_members)
            })
            .collect(),
    )
}

fn mask_members(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    if BY_NATURE_MEMBERS.contains(&k.as_str()) && v.is_number() {
                        let masked = Value::String(format!("<{k}>"));
                        (k, masked)
                    } else {
                        (k, mask_members(v))
                    }
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(mask_members).collect()),
        other => other,
    }
}

/// `text` with every timestamp, UUID and loopback port masked.
pub fn mask(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        let found = timestamp_len(&bytes[i..])
            .map(|n| (n, "<timestamp>"))
            .or_else(|| uuid_len(&bytes[i..]).map(|n| (n, "<uuid>")));
        if let Some((len, mark)) = found {
            out.push_str(&text[copied..i]);
            out.push_str(mark);
            i += len;
            copied = i;
            continue;
        }
        if let Some((host, digits)) = port_len(&bytes[i..]) {
            out.push_str(&text[copied..i + host]);
            out.push_str("<port>");
            i += host + digits;
            copied = i;
            continue;
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

/// Length of `8-4-4-4-12` hex digits at the start of `s`.
fn uuid_len(s: &[u8]) -> Option<usize> {
    const SHAPE: &[u8] = b"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    if s.len() < SHAPE.len() {
        return None;
    }
    let fits = SHAPE
        .iter()
        .zip(s)
        .all(|(&shape, &b)| if shape == b'-' { b == b'-' } else { is_hex(b) });
    let ends = s.get(SHAPE.len()).is_none_or(|b| !is_hex(*b));
    (fits && ends).then_some(SHAPE.len())
}

/// Length of `YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)` at the start of `s`.
fn timestamp_len(s: &[u8]) -> Option<usize> {
    const SHAPE: &[u8] = b"dddd-dd-ddTdd:dd:dd";
    if s.len() < SHAPE.len() {
        return None;
    }
    let fits = SHAPE.iter().zip(s).all(|(&shape, &b)| match shape {
        b'd' => b.is_ascii_digit(),
        other => b == other,
    });
    if !fits || !near_today(s) {
        return None;
    }
    let mut n = SHAPE.len();
    if s.get(n) == Some(&b'.') {
        let digits = s[n + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0 {
            n += 1 + digits;
        }
    }
    match s.get(n) {
        Some(b'Z') => Some(n + 1),
        Some(b'+' | b'-')
            if s.len() >= n + 6
                && s[n + 1..n + 3].iter().all(u8::is_ascii_digit)
                && s[n + 3] == b':'
                && s[n + 4..n + 6].iter().all(u8::is_ascii_digit) =>
        {
            Some(n + 6)
        }
        _ => Some(n),
    }
}

/// Whether the `YYYY-MM-DD` at the start of `s` is within a day of today (UTC).
fn near_today(s: &[u8]) -> bool {
    let number = |range: std::ops::Range<usize>| -> i64 {
        s[range].iter().fold(0, |n, d| n * 10 + i64::from(d - b'0'))
    };
    let day = days_from_civil(number(0..4), number(5..7), number(8..10));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| {
            i64::try_from(d.as_secs() / 86_400).unwrap_or(i64::MAX)
        });
    (day - now).abs() <= 1
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// `(length of the loopback host and colon, length of the port digits)` at the start of
/// `s` (the host is kept: only the digits are masked).
fn port_len(s: &[u8]) -> Option<(usize, usize)> {
    for host in [&b"127.0.0.1:"[..], b"localhost:"] {
        if s.starts_with(host) {
            let digits = s[host.len()..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits > 0 {
                return Some((host.len(), digits));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Today's date as `YYYY-MM-DD`, from [`days_from_civil`]'s inverse by search.
    fn today() -> String {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            / 86_400;
        let now = i64::try_from(now).unwrap();
        for year in 2020..2200 {
            for month in 1..=12 {
                for day in 1..=31 {
                    if days_from_civil(year, month, day) == now {
                        return format!("{year:04}-{month:02}-{day:02}");
                    }
                }
            }
        }
        panic!("today is outside 2020..2200");
    }

    #[test]
    fn the_civil_day_count_matches_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(2026, 11, 25), 20_782);
    }

    #[test]
    fn old_timestamps_are_compared_as_they_are() {
        let old = r#"{"timestamp":"2020-01-02T03:04:05.678Z"}"#;
        assert_eq!(mask(old), old);
        let now = format!(r#"{{"timestamp":"{}T03:04:05.678Z"}}"#, today());
        assert_eq!(mask(&now), r#"{"timestamp":"<timestamp>"}"#);
    }

    #[test]
    fn masks_timestamps_uuids_and_ports_and_nothing_else() {
        let text = &format!(
            r#"{{"t":"{}T21:01:06.879Z","u":"vessels.urn:mrn:signalk:uuid:0ee211e9-ee93-4b51-bbc9-d5c7f873535a","h":"127.0.0.1:33899","n":2026,"s":"0ee211e9"}}"#,
            today()
        );
        assert_eq!(
            mask(text),
            r#"{"t":"<timestamp>","u":"vessels.urn:mrn:signalk:uuid:<uuid>","h":"127.0.0.1:<port>","n":2026,"s":"0ee211e9"}"#
        );
    }

    #[test]
    fn different_values_stay_different_after_masking() {
        let a = http(200, &[], br#"{"value":1.5,"$source":"sdk-probe"}"#, false);
        let b = http(
            200,
            &[],
            br#"{"value":1.5,"$source":"sdk-probe.XX"}"#,
            false,
        );
        assert_ne!(a, b);
        let a = http(
            404,
            &[("content-type".into(), "text/html".into())],
            b"x",
            false,
        );
        let b = http(
            404,
            &[("content-type".into(), "text/html; charset=utf-8".into())],
            b"x",
            false,
        );
        assert_ne!(a, b);
    }

    #[test]
    fn server_wide_headers_count_only_when_asked() {
        let headers = [("x-xss-protection".to_owned(), "0".to_owned())];
        assert_eq!(http(200, &headers, b"", false)["headers"], json!({}));
        assert_eq!(
            http(200, &headers, b"", true)["headers"],
            json!({"x-xss-protection": "0"})
        );
    }

    #[test]
    fn poll_counters_are_masked_but_other_numbers_are_not() {
        let a = http(200, &[], br#"{"polls":3,"starts":1}"#, false);
        let b = http(200, &[], br#"{"polls":0,"starts":1}"#, false);
        let c = http(200, &[], br#"{"polls":0,"starts":2}"#, false);
        assert_eq!(a, b);
        assert_ne!(b, c);
    }

    #[test]
    fn a_masked_body_masks_its_etag_only() {
        let headers = [("etag".to_owned(), "W/\"1-a\"".to_owned())];
        let plain = http(200, &headers, b"{}", true);
        assert_eq!(plain["headers"]["etag"], "W/\"1-a\"");
        assert_eq!(http(200, &headers, b"{}", false)["headers"], json!({}));
        let body = format!(r#""{}T21:01:06.879Z""#, today());
        let stamped = http(200, &headers, body.as_bytes(), true);
        assert_eq!(stamped["headers"]["etag"], "<etag of a masked body>");
    }
}
