//! An outlet for an article whose input names none: the registrable domain of its URL.
//!
//! A site's sections and mobile hosts (`news.bbc.co.uk`, `m.bbc.co.uk`) are one outlet, so the
//! outlet is the domain one level below its public suffix (`co.uk`), read from the Public Suffix
//! List that the `psl` crate compiles in. The article records that it was derived
//! ([`OutletSource::FromUrl`]).

use khabar_core::{Article, OutletSource};

/// The registrable domain of a host (`news.bbc.co.uk` → `bbc.co.uk`, `www.aljazeera.net` →
/// `aljazeera.net`); the host itself, lower-cased, when it has none (an IP address,
/// `localhost`).
pub fn registrable_domain(host: &str) -> String {
    let host = host.trim_end_matches('.').to_lowercase();
    let is_ip = host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[');
    if is_ip {
        return host;
    }
    psl::domain_str(&host).map_or_else(|| host.clone(), str::to_string)
}

/// The outlet of an article at `url`: its host's registrable domain; `None` when the URL has no
/// host.
pub fn from_url(url: &str) -> Option<String> {
    khabar_core::url::host(url).map(|host| registrable_domain(&host))
}

/// Gives an article that names no outlet the one its URL implies, recording that it was derived.
pub fn derive_if_missing(article: &mut Article) {
    if article.outlet.is_some() {
        return;
    }
    if let Some(outlet) = article.url.as_deref().and_then(from_url) {
        article.outlet = Some(outlet);
        article.outlet_source = OutletSource::FromUrl;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use khabar_core::Source;

    #[test]
    fn a_host_becomes_its_registrable_domain() {
        for (host, domain) in [
            ("news.bbc.co.uk", "bbc.co.uk"),
            ("www.aljazeera.net", "aljazeera.net"),
            ("M.Alwatan.com.kw", "alwatan.com.kw"),
            ("kuna.net.kw", "kuna.net.kw"),
            ("edition.cnn.com.", "cnn.com"),
            ("127.0.0.1", "127.0.0.1"),
            ("localhost", "localhost"),
        ] {
            assert_eq!(registrable_domain(host), domain, "{host}");
        }
        assert_eq!(
            from_url("https://news.bbc.co.uk/2/hi/middle_east/1.stm").as_deref(),
            Some("bbc.co.uk")
        );
        assert_eq!(from_url("not a url"), None);
        assert_eq!(
            from_url("https://WWW.Example.COM/a").as_deref(),
            Some("example.com")
        );
        assert_eq!(from_url("http://[::1]:8080/a").as_deref(), Some("::1"));
    }

    #[test]
    fn only_a_missing_outlet_is_derived_and_marked_so() {
        let mut named = Article::new(Source::Stdin, "text".into());
        named.url = Some("https://www.kuna.net.kw/a".into());
        named.outlet = Some("KUNA".into());
        derive_if_missing(&mut named);
        assert_eq!(named.outlet.as_deref(), Some("KUNA"));
        assert_eq!(named.outlet_source, OutletSource::Given);

        let mut unnamed = named.clone();
        unnamed.outlet = None;
        derive_if_missing(&mut unnamed);
        assert_eq!(unnamed.outlet.as_deref(), Some("kuna.net.kw"));
        assert_eq!(unnamed.outlet_source, OutletSource::FromUrl);
        // Stored JSON says so; an article stored before the field reads back as given.
        let json = serde_json::to_value(&unnamed).unwrap();
        assert_eq!(json["outlet_source"], "from_url");
        let json = serde_json::to_value(&named).unwrap();
        assert!(json.get("outlet_source").is_none());
        let back: Article = serde_json::from_value(json).unwrap();
        assert_eq!(back.outlet_source, OutletSource::Given);

        let mut no_url = Article::new(Source::Stdin, "text".into());
        derive_if_missing(&mut no_url);
        assert_eq!(no_url.outlet, None);
    }
}
