//! Where to go after signing in (`?next=`): only ever a path on this site.
//! Browsers drop tabs and line breaks inside URLs and read `\` as `/`, so
//! `/%09/evil.example` becomes `//evil.example`, another site: anything a
//! browser could read as leaving the site is refused, not repaired.

/// The path to go to, if `next` (already percent-decoded) is one on this
/// site; `None` sends the person home.
pub fn safe_next(next: &str) -> Option<&str> {
    let mut chars = next.chars();
    let stays = chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !next.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace())
        && next.len() <= 2048;
    stays.then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn paths_on_the_site_pass_and_everything_else_goes_home() {
        for ok in ["/", "/apply", "/applications/1?x=2#y", "/resident", "/a//b"] {
            assert_eq!(safe_next(ok), Some(ok));
        }
        for bad in [
            "",
            "apply",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "\t//evil.example",
            "https://evil.example",
            "/%2F",
            "/ /x",
            "javascript:alert(1)",
        ] {
            if bad == "/%2F" {
                // Still encoded: a path on this site (the browser keeps it so).
                assert_eq!(safe_next(bad), Some(bad));
                continue;
            }
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
    }

    proptest! {
        /// Whatever is accepted, a browser resolving it against the site
        /// stays on the site (the WHATWG URL parser, as browsers use it).
        #[test]
        fn an_accepted_path_never_leaves_the_site(next in "[/\\\\\t\n a-z.:%@?#0-9]{0,12}") {
            if let Some(p) = safe_next(&next) {
                let base = url::Url::parse("https://campus.example/sign-in").unwrap();
                let to = base.join(p).unwrap();
                prop_assert_eq!(to.host_str(), Some("campus.example"));
                prop_assert_eq!(to.scheme(), "https");
            }
        }
    }
}
