//! Jurisdiction codes: ISO 3166-1 alpha-3, the user-assigned ranges, and an allow-list.

/// Why a code is not accepted, or `None` when it is.
pub(crate) fn check(code: &str) -> Option<String> {
    // A code that looks right but holds a Cyrillic `А` or a zero-width space: say which.
    if let Some(odd) = crate::error::odd_characters(code, true) {
        return Some(format!(
            "a jurisdiction code has three ASCII letters, and {odd}"
        ));
    }
    if code.len() != 3 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some(
            "a jurisdiction code has three letters (ISO 3166-1 alpha-3, e.g. `FRA`)".to_string(),
        );
    }
    if code.chars().any(|c| c.is_ascii_lowercase()) {
        return Some(format!(
            "codes are upper case: write `{}`",
            code.to_ascii_uppercase()
        ));
    }
    if is_user_assigned(code) || iso_name(code).is_some() {
        None
    } else {
        Some("it is not an ISO 3166-1 alpha-3 code".to_string())
    }
}

/// True for ISO 3166-1's user-assigned ranges (AAA-AAZ, QMA-QZZ, XAA-XZZ, ZZA-ZZZ), which accord
/// accepts for fictional and private units.
pub(crate) fn is_user_assigned(code: &str) -> bool {
    let b = code.as_bytes();
    if b.len() != 3 || !b.iter().all(u8::is_ascii_uppercase) {
        return false;
    }
    (b[0] == b'A' && b[1] == b'A')
        || (b[0] == b'Q' && b[1] >= b'M')
        || b[0] == b'X'
        || (b[0] == b'Z' && b[1] == b'Z')
}

/// The ISO 3166-1 English short name of an alpha-3 code.
pub(crate) fn iso_name(code: &str) -> Option<&'static str> {
    isocountry::CountryCode::for_alpha3(code)
        .ok()
        .map(|c| c.name())
}

/// Names and other codes countries are often written with, from the public-domain package
/// datasets/country-codes (see `tools/country_names.py`): `iso3 TAB name TAB alias` lines.
const COUNTRY_NAMES: &str = include_str!("country_names.tsv");

/// The ISO 3166-1 alpha-3 code (and short name) that a country name or another code stands for:
/// `Germany`, `GER` (IOC) and `DE` (alpha-2) give `DEU`, `UK` gives `GBR`. Case is ignored.
pub(crate) fn suggest(written: &str) -> Option<(&'static str, &'static str)> {
    let w = written.trim();
    if w.is_empty() {
        return None;
    }
    COUNTRY_NAMES
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((f.next()?, f.next()?, f.next()?))
        })
        .find(|(_, _, alias)| alias.eq_ignore_ascii_case(w))
        .map(|(iso3, name, _)| (iso3, name))
}

/// A help line for a code that is not accepted: the code it most likely stands for, if any.
pub(crate) fn help_for(written: &str) -> Option<String> {
    suggest(written).map(|(iso3, name)| format!("did you mean `{iso3}` ({name})?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_other_codes_point_to_the_alpha_3_code() {
        assert_eq!(suggest("Germany"), Some(("DEU", "Germany")));
        assert_eq!(suggest("GER"), Some(("DEU", "Germany")));
        assert_eq!(suggest("uk").map(|s| s.0), Some("GBR"));
        assert_eq!(suggest("DE").map(|s| s.0), Some("DEU"));
        assert_eq!(suggest("Narnia"), None);
    }
}
