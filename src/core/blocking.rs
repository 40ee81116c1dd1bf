//! Prior blocking's rules, for both builds that start blocked scripts (the banner build for a
//! returning visitor, the consent manager for every decision): which page elements wait for
//! consent, and whether the visitor's choices let one start.

use crate::consent::Choices;

// Macros, so `BLOCKED` can join the two lists at compile time.
macro_rules! blocked_scripts {
    () => {
        "script[type=\"text/plain\"][data-category],script[type=\"text/plain\"][data-service]"
    };
}
macro_rules! blocked_frames {
    () => {
        "iframe[data-src][data-category],iframe[data-src][data-service]"
    };
}

/// Shop scripts parsed as `text/plain` until their category or service is allowed.
pub const BLOCKED_SCRIPTS: &str = blocked_scripts!();
/// Embeds whose `data-src` becomes their `src` once allowed (with a placeholder until then).
pub const BLOCKED_FRAMES: &str = blocked_frames!();
/// Either kind: what a page may add later that waits for consent.
pub const BLOCKED: &str = concat!(blocked_scripts!(), ",", blocked_frames!());

/// Whether an element with this `data-service` (preferred, more precise) or `data-category` may
/// start. Unknown services and categories are never allowed: fail closed.
pub fn allows(choices: &Choices, service: Option<&str>, category: Option<&str>) -> bool {
    match (service, category) {
        (Some(service), _) => choices.service(service),
        (None, Some(category)) => choices.category(category),
        (None, None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::demo;

    #[test]
    fn the_service_decides_over_its_category_and_unknown_ids_stay_blocked() {
        let config = demo();
        let all = Choices::all(&config);
        assert!(allows(&all, None, Some("analytics")));
        assert!(allows(&all, Some("google-analytics"), Some("analytics")));
        assert!(!allows(&all, Some("unknown"), Some("analytics")), "the service is what counts");
        assert!(!allows(&all, None, Some("unknown")));
        assert!(!allows(&all, None, None));
        let none = Choices::none(&config);
        assert!(!allows(&none, Some("google-analytics"), None));
        assert!(!allows(&none, None, Some("analytics")));
        assert!(allows(&none, None, Some("necessary")), "required categories are always on");
    }
}
