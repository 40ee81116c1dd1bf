//! What the newsletter and rights-request forms share: errors kept per field, shown on submit
//! and re-checked while the visitor types.

use crate::prelude::*;

use crate::i18n::FormText;

/// Re-checks only the fields already showing an error, so an error can be fixed or change
/// while typing but a new one only appears on submit. True when anything changed.
pub fn recheck<F: Copy + PartialEq>(errors: &mut Vec<(F, FormText)>, check: impl Fn(F) -> Option<FormText>) -> bool {
    let rechecked: Vec<(F, FormText)> = errors.iter().filter_map(|(f, _)| check(*f).map(|key| (*f, key))).collect();
    let changed = rechecked != *errors;
    *errors = rechecked;
    changed
}

/// The error shown for `field`, if any.
pub fn error_of<F: PartialEq>(errors: &[(F, FormText)], field: F) -> Option<FormText> {
    errors.iter().find(|(f, _)| *f == field).map(|(_, key)| *key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recheck_clears_and_changes_shown_errors_but_adds_none() {
        let mut errors = vec![(1, FormText::EmailEmpty), (2, FormText::FormFailed)];
        let changed = recheck(&mut errors, |f| match f {
            1 => Some(FormText::EmailMissingAt),
            3 => Some(FormText::EmailEmpty),
            _ => None,
        });
        assert!(changed);
        assert_eq!(errors, vec![(1, FormText::EmailMissingAt)]);
        assert!(!recheck(&mut errors, |_| Some(FormText::EmailMissingAt)));
        assert_eq!(error_of(&errors, 1), Some(FormText::EmailMissingAt));
        assert_eq!(error_of(&errors, 2), None);
    }
}
