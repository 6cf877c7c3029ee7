//! URLs as khabar reads them: links resolved against the page they are on, hosts, and the
//! canonical form that identifies a page across its spellings.
//!
//! Parsing is the WHATWG URL Standard's (the `url` crate, as browsers resolve links): dot
//! segments, queries, fragments, IPv6 hosts, ports and case are handled there, and khabar's own
//! rules (which hosts and parameters do not change the page) sit on top, in [`canonical`].

use ::url::Url;

/// Host prefixes that name another edition of the same site, not another page.
const EDITION_PREFIXES: &[&str] = &["www.", "m.", "mobile.", "amp."];

/// Query parameters that say who shared a link, not what it points at (a name ending in `_`
/// is a prefix: `utm_source`, `utm_medium`…).
const TRACKING_PARAMETERS: &[&str] = &[
    "utm_",
    "fbclid",
    "gclid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "ref",
    "ref_src",
    "cmpid",
    "ocid",
    "at_medium",
    "at_campaign",
];

/// Path endings of AMP editions (`…/story/amp`, `…/story/amp.html`).
const AMP_SUFFIXES: &[&str] = &["/amp", "/amp.html"];

/// An absolute URL; a string without a scheme (`example.com/news/1`) is read as `http://…`,
/// as feeds and hand-written records sometimes give them.
fn parse(url: &str) -> Option<Url> {
    let url = url.trim();
    match Url::parse(url) {
        Ok(parsed) if parsed.has_host() => Some(parsed),
        Ok(_) => None,
        Err(::url::ParseError::RelativeUrlWithoutBase) => Url::parse(&format!("http://{url}"))
            .ok()
            .filter(|u| u.host_str().is_some_and(|h| h.contains('.'))),
        Err(_) => None,
    }
}

/// `href` resolved against the URL of the page it is on (`base`), as a browser follows it:
/// `../politics/x.html` against `https://e.com/news/world/story.html` is
/// `https://e.com/news/politics/x.html`. `None` when `href` is relative and there is no usable
/// base, or when it is not a URL at all.
pub fn resolve(base: Option<&str>, href: &str) -> Option<String> {
    let href = href.trim();
    if let Ok(absolute) = Url::parse(href) {
        return Some(absolute.into());
    }
    let base = Url::parse(base?.trim()).ok()?;
    base.join(href).ok().map(Into::into)
}

/// The host of an absolute URL, lower-cased, without `www.`; an IPv6 address without its
/// brackets (`http://[::1]:8080` → `::1`). `None` when there is none.
pub fn host(url: &str) -> Option<String> {
    let parsed = parse(url)?;
    let host = match parsed.host()? {
        ::url::Host::Domain(domain) => domain.to_lowercase(),
        ::url::Host::Ipv4(ip) => ip.to_string(),
        ::url::Host::Ipv6(ip) => ip.to_string(),
    };
    let host = host
        .strip_prefix("www.")
        .map(str::to_string)
        .unwrap_or(host);
    (!host.is_empty()).then_some(host)
}

/// The path of an absolute URL (`/news/2019/11/19/story`), `None` when it is not one.
pub fn path(url: &str) -> Option<String> {
    parse(url).map(|u| u.path().to_string())
}

/// A URL in the form that identifies the page: scheme, port when default, fragment and the
/// `www.`, `m.`, `mobile.` and `amp.` prefixes of the host dropped; host lower-cased; dot
/// segments, `/amp` and trailing slashes removed; tracking parameters dropped and the rest
/// sorted. `host/path?a=1&b=2`. A string that is no URL is returned trimmed.
pub fn canonical(url: &str) -> String {
    let Some(parsed) = parse(url) else {
        return url.trim().to_string();
    };
    let mut out = match parsed.host() {
        Some(::url::Host::Domain(domain)) => {
            let mut host = domain.to_lowercase();
            for prefix in EDITION_PREFIXES {
                if let Some(h) = host.strip_prefix(prefix) {
                    host = h.to_string();
                }
            }
            host
        }
        Some(other) => other.to_string(),
        None => String::new(),
    };
    if let Some(port) = parsed.port() {
        out.push_str(&format!(":{port}"));
    }
    let mut path = parsed.path().trim_end_matches('/');
    for suffix in AMP_SUFFIXES {
        if let Some(p) = path.strip_suffix(suffix) {
            path = p.trim_end_matches('/');
        }
    }
    out.push_str(path);
    let mut params: Vec<&str> = parsed
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let key = p.split('=').next().unwrap_or("").to_lowercase();
            key != "amp"
                && !TRACKING_PARAMETERS
                    .iter()
                    .any(|t| key.starts_with(t) && (t.ends_with('_') || key == *t))
        })
        .collect();
    params.sort_unstable();
    if !params.is_empty() {
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "https://example.com/news/world/story.html";

    #[test]
    fn links_resolve_as_a_browser_follows_them() {
        for (href, want) in [
            (
                "../politics/x.html",
                "https://example.com/news/politics/x.html",
            ),
            (
                "?page=2",
                "https://example.com/news/world/story.html?page=2",
            ),
            ("#top", "https://example.com/news/world/story.html#top"),
            ("/about", "https://example.com/about"),
            ("other.html", "https://example.com/news/world/other.html"),
            ("//cdn.example.net/a", "https://cdn.example.net/a"),
            ("https://elsewhere.org/b", "https://elsewhere.org/b"),
        ] {
            assert_eq!(resolve(Some(STORY), href).as_deref(), Some(want), "{href}");
        }
    }

    #[test]
    fn a_base_with_slashes_in_its_query_resolves_from_its_path() {
        assert_eq!(
            resolve(Some("https://example.com/news/show?id=1/2"), "story-3").as_deref(),
            Some("https://example.com/news/story-3")
        );
    }

    #[test]
    fn a_relative_link_without_a_base_does_not_resolve() {
        assert_eq!(resolve(None, "../x.html"), None);
        assert_eq!(resolve(Some("not a url"), "../x.html"), None);
    }

    #[test]
    fn hosts_are_lower_cased_without_www_and_ipv6_without_brackets() {
        assert_eq!(
            host("https://WWW.Example.COM/a").as_deref(),
            Some("example.com")
        );
        assert_eq!(host("WWW.Example.COM").as_deref(), Some("example.com"));
        assert_eq!(host("http://[::1]:8080/x").as_deref(), Some("::1"));
        assert_eq!(
            host("http://user:pw@news.example.org:81/").as_deref(),
            Some("news.example.org")
        );
        assert_eq!(host("http://192.0.2.7/a").as_deref(), Some("192.0.2.7"));
        assert_eq!(host("not a url"), None);
        assert_eq!(host("mailto:desk@example.com"), None);
    }

    #[test]
    fn canonical_urls_ignore_tracking_amp_mobile_and_slashes() {
        let canonical_form = canonical("https://www.example.com/news/story-1?id=7&x=2");
        assert_eq!(canonical_form, "example.com/news/story-1?id=7&x=2");
        for variant in [
            "http://example.com/news/story-1/?x=2&id=7&utm_source=tw&utm_medium=social",
            "https://m.example.com/news/story-1?id=7&x=2#comments",
            "https://amp.example.com/news/story-1/amp?x=2&id=7&fbclid=abc",
            "https://EXAMPLE.com/news/story-1?id=7&x=2&amp=1",
            "https://example.com:443/news/world/../story-1?id=7&x=2",
            "example.com/news/story-1?x=2&id=7",
        ] {
            assert_eq!(canonical(variant), canonical_form, "{variant}");
        }
        assert_ne!(
            canonical("https://example.com/news/story-2?id=7&x=2"),
            canonical_form
        );
        assert_ne!(
            canonical("https://example.com/news/story-1?id=8&x=2"),
            canonical_form
        );
        assert_ne!(
            canonical("https://example.com:8080/news/story-1?id=7&x=2"),
            canonical_form
        );
    }

    #[test]
    fn a_raw_and_a_percent_encoded_path_are_one_page() {
        assert_eq!(
            canonical("https://example.com/أخبار/1"),
            canonical("https://example.com/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/1")
        );
    }

    #[test]
    fn paths_come_without_host_query_or_fragment() {
        assert_eq!(
            path("https://example.com/news/2019/11/19/story?id=1/2#x").as_deref(),
            Some("/news/2019/11/19/story")
        );
    }
}
