//! What the newsletter and rights-request forms share: errors kept per field, shown on submit
//! and re-checked while the visitor types, and one submission state machine ([`Submission`]):
//! submit or retry, the request still queued, and how delivery reports move the form.

use crate::prelude::*;

use crate::i18n::FormText;
use crate::json::Json;
use crate::outbox::{Endpoint, IdempotencyKey};

/// How many characters (Unicode scalar values) `text` has: its bytes that do not continue a
/// UTF-8 sequence. Not `chars().count()`, whose vectorised counter is 0.8 kB of each build's wasm.
pub fn char_count(text: &str) -> usize {
    text.bytes().filter(|&b| (b as i8) >= -0x40).count()
}

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

/// Where a form's request stands; the newsletter and rights-request forms share these phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Being filled in, also after a submit the input did not pass.
    Editing,
    /// Posted; waiting for the outcome. Another submit does nothing.
    Sending,
    /// The backend has the request (or a bot filled the honeypot): the form shows its status.
    Done,
    /// The server asked us to slow down; the retry button may be enabled after `retry_after_s`.
    RateLimited { retry_after_s: u32 },
    /// Server error, permanent refusal, or nothing could be queued; the input is kept.
    Failed,
}

/// How the delivery driver says a posted request fared (the browser layer's report, minus
/// what a form does not need).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// A 2xx with the response text (a rights request's reference number is in it).
    Delivered { body: String },
    /// A retryable failure (`status` is `None` for a network error); the outbox sends the same
    /// request again by itself after `delay_ms`.
    Retrying { status: Option<u16>, delay_ms: u64 },
    /// Refused for good or given up: nothing of the request is left queued.
    Dropped,
}

/// A submit, or news about the request it posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmissionMsg {
    /// The submit button; after a failure it is the retry button and sends the kept input again.
    Submit,
    /// The outbox queued the posted request under this key.
    Queued(IdempotencyKey),
    /// A report about any request of the page: only the one this form has queued counts.
    Report { key: IdempotencyKey, delivery: Delivery },
    /// The backend has the request; its response text.
    Delivered(String),
    /// The backend answered 429.
    RateLimited { retry_after_s: u32 },
    /// A server or network error, a permanent refusal, or the outbox could not queue the request.
    Failed,
}

/// What a form's browser layer must do after an update, in order (`F`: the form's fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormEffect<F> {
    /// Re-render the form from the state.
    Render,
    /// Update the error texts and `aria-invalid` of the fields without re-rendering (the caret
    /// stays where it is).
    SyncErrors,
    /// Queue this request body for delivery; report the key as [`SubmissionMsg::Queued`] (or
    /// [`SubmissionMsg::Failed`] when nothing was queued) and the outcome as a report.
    Post {
        endpoint: Endpoint,
        body: Json,
    },
    /// Navigate to this `mailto:` URL (the visitor's e-mail program opens).
    OpenMailto(String),
    FocusField(F),
    /// Move focus to the status message.
    FocusStatus,
    /// Say this text in the live region.
    Announce(FormText),
}

/// What the form itself must do after [`Submission::update`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step<F> {
    /// Done here: run these effects.
    Effects(Vec<FormEffect<F>>),
    /// The visitor asked to send: check the input, then [`Submission::send`] or
    /// [`Submission::reject`].
    Check,
    /// The backend has the request (response text): the form keeps what it needs of it and
    /// calls [`Submission::finish`].
    Delivered(String),
}

/// The submission state machine both forms run: the phase, and the request still in the outbox,
/// so a retry never posts it twice and only this form's reports move it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    phase: Phase,
    /// The request of this form still queued (retrying counts), by its idempotency key.
    pending: Option<IdempotencyKey>,
}

impl Default for Submission {
    fn default() -> Submission {
        Submission { phase: Phase::Editing, pending: None }
    }
}

impl Submission {
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The key of this form's request still in the outbox, if any.
    pub fn pending(&self) -> Option<&IdempotencyKey> {
        self.pending.as_ref()
    }

    pub fn update<F>(&mut self, msg: SubmissionMsg) -> Step<F> {
        use Phase as P;
        match msg {
            SubmissionMsg::Submit => match self.phase {
                P::Editing | P::RateLimited { .. } | P::Failed => Step::Check,
                P::Sending | P::Done => Step::Effects(Vec::new()),
            },
            SubmissionMsg::Queued(key) => {
                if self.phase == P::Sending {
                    self.pending = Some(key);
                }
                Step::Effects(Vec::new())
            }
            SubmissionMsg::Report { key, delivery } => {
                if self.pending.as_ref() != Some(&key) {
                    return Step::Effects(Vec::new());
                }
                let msg = match delivery {
                    // This form's request arrived, whatever the visitor did meanwhile (a retry whose
                    // input no longer passed put the form back to editing): it is done, and a later
                    // submit must not post it again.
                    Delivery::Delivered { body } => {
                        self.pending = None;
                        return match self.phase {
                            P::Done => Step::Effects(Vec::new()),
                            _ => Step::Delivered(body),
                        };
                    }
                    // Rounded up: the retry button must not come back before the outbox retries.
                    Delivery::Retrying { status: Some(429), delay_ms } => SubmissionMsg::RateLimited {
                        retry_after_s: u32::try_from(delay_ms.div_ceil(1000)).unwrap_or(u32::MAX),
                    },
                    // Shown as a failure the visitor can retry; the outbox keeps trying on its own
                    // and the retry waits for it instead of posting again.
                    Delivery::Retrying { .. } => SubmissionMsg::Failed,
                    Delivery::Dropped => {
                        self.pending = None;
                        SubmissionMsg::Failed
                    }
                };
                self.update(msg)
            }
            // A late success after a rate limit or failure is still success: the server has it.
            SubmissionMsg::Delivered(body) => match self.phase {
                P::Sending | P::RateLimited { .. } | P::Failed => Step::Delivered(body),
                P::Editing | P::Done => Step::Effects(Vec::new()),
            },
            SubmissionMsg::RateLimited { retry_after_s } if self.phase == P::Sending => {
                self.phase = P::RateLimited { retry_after_s };
                Step::Effects(vec![FormEffect::Render, FormEffect::Announce(FormText::FormRateLimited)])
            }
            SubmissionMsg::Failed if self.phase == P::Sending => Step::Effects(self.fail()),
            SubmissionMsg::RateLimited { .. } | SubmissionMsg::Failed => Step::Effects(Vec::new()),
        }
    }

    /// The checked input is this request: post it, unless this form's earlier request is still
    /// queued (the outbox is retrying it; a second one would arrive twice), then wait for it.
    pub fn send<F>(&mut self, endpoint: Endpoint, body: Json) -> Vec<FormEffect<F>> {
        self.phase = Phase::Sending;
        let mut effects = Vec::with_capacity(3);
        if self.pending.is_none() {
            effects.push(FormEffect::Post { endpoint, body });
        }
        effects.push(FormEffect::Render);
        effects.push(FormEffect::Announce(FormText::FormSending));
        effects
    }

    /// The input did not pass: back to editing, focus on the first invalid field.
    pub fn reject<F>(&mut self, first_invalid: F) -> Vec<FormEffect<F>> {
        self.phase = Phase::Editing;
        vec![FormEffect::Render, FormEffect::FocusField(first_invalid)]
    }

    /// Back to editing without a request (the form was handed to the visitor's e-mail program).
    pub fn edit(&mut self) {
        self.phase = Phase::Editing;
    }

    /// Success: the status replaces the form and takes focus.
    pub fn finish<F>(&mut self) -> Vec<FormEffect<F>> {
        self.phase = Phase::Done;
        vec![FormEffect::Render, FormEffect::FocusStatus]
    }

    /// Nothing could be sent: the input stays and the failure is announced.
    pub fn fail<F>(&mut self) -> Vec<FormEffect<F>> {
        self.phase = Phase::Failed;
        vec![FormEffect::Render, FormEffect::Announce(FormText::FormFailed)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_count_counts_characters_not_bytes() {
        for text in ["", "a", "Kari Nordmann", "Åse Ørnes-Bø", "ﬁ€😀\u{0301}e", &"æ".repeat(4001)] {
            assert_eq!(char_count(text), text.chars().count(), "{text:?}");
        }
        assert_eq!(char_count("😀"), 1);
    }

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

    /// The rights form's fields stand in for any form's.
    type Effects = Vec<FormEffect<u8>>;

    fn key(n: u8) -> IdempotencyKey {
        IdempotencyKey::from_random([n; 16])
    }

    fn report(key: &IdempotencyKey, delivery: Delivery) -> SubmissionMsg {
        SubmissionMsg::Report { key: key.clone(), delivery }
    }

    /// Submits valid input (the form's check passes) and queues the post under `key`.
    fn posted(s: &mut Submission, key: &IdempotencyKey) -> Effects {
        assert_eq!(s.update::<u8>(SubmissionMsg::Submit), Step::Check);
        let effects = s.send(Endpoint::Newsletter, Json::Null);
        s.update::<u8>(SubmissionMsg::Queued(key.clone()));
        effects
    }

    fn effects(step: Step<u8>) -> Effects {
        match step {
            Step::Effects(effects) => effects,
            other => panic!("expected effects, got {other:?}"),
        }
    }

    #[test]
    fn submit_posts_once_and_only_its_own_reports_count() {
        let mut s = Submission::default();
        let k = key(1);
        let sent = posted(&mut s, &k);
        assert_eq!(
            sent,
            vec![
                FormEffect::Post { endpoint: Endpoint::Newsletter, body: Json::Null },
                FormEffect::Render,
                FormEffect::Announce(FormText::FormSending)
            ]
        );
        assert_eq!((s.phase(), s.pending()), (Phase::Sending, Some(&k)));
        assert!(effects(s.update(SubmissionMsg::Submit)).is_empty(), "a double submit posts nothing");
        let ok = Delivery::Delivered { body: "{}".into() };
        assert!(effects(s.update(report(&key(2), ok.clone()))).is_empty(), "another request's report");
        assert_eq!(s.phase(), Phase::Sending);
        assert_eq!(s.update::<u8>(report(&k, ok)), Step::Delivered("{}".into()));
        assert_eq!(s.pending(), None);
        assert_eq!(s.finish::<u8>(), vec![FormEffect::Render, FormEffect::FocusStatus]);
        assert!(effects(s.update(SubmissionMsg::Submit)).is_empty(), "done stays done");
    }

    #[test]
    fn a_retry_while_the_outbox_still_retries_waits_instead_of_posting_again() {
        let mut s = Submission::default();
        let k = key(1);
        posted(&mut s, &k);
        let busy = Delivery::Retrying { status: Some(503), delay_ms: 2000 };
        assert_eq!(
            effects(s.update(report(&k, busy))),
            vec![FormEffect::Render, FormEffect::Announce(FormText::FormFailed)]
        );
        assert_eq!((s.phase(), s.pending()), (Phase::Failed, Some(&k)));
        assert_eq!(s.update::<u8>(SubmissionMsg::Submit), Step::Check);
        assert_eq!(
            s.send::<u8>(Endpoint::Newsletter, Json::Null),
            vec![FormEffect::Render, FormEffect::Announce(FormText::FormSending)],
            "no second post: the queued one is still on its way"
        );
        assert_eq!(
            s.update::<u8>(report(&k, Delivery::Delivered { body: String::new() })),
            Step::Delivered(String::new())
        );
    }

    #[test]
    fn a_request_delivered_after_the_visitor_went_back_to_editing_is_done_and_never_posted_again() {
        let mut s = Submission::default();
        let k = key(1);
        posted(&mut s, &k);
        s.update::<u8>(report(&k, Delivery::Retrying { status: Some(503), delay_ms: 2000 }));
        assert_eq!(s.update::<u8>(SubmissionMsg::Submit), Step::Check);
        s.reject(7u8); // the retry's input no longer passed: editing, the request still queued
        assert_eq!((s.phase(), s.pending()), (Phase::Editing, Some(&k)));
        assert_eq!(
            s.update::<u8>(report(&k, Delivery::Delivered { body: "{}".into() })),
            Step::Delivered("{}".into()),
            "the backend has it: the form shows success"
        );
        s.finish::<u8>();
        assert!(effects(s.update(SubmissionMsg::Submit)).is_empty(), "and posts nothing more");
    }

    #[test]
    fn a_429_reports_the_wait_in_seconds() {
        let mut s = Submission::default();
        let k = key(1);
        posted(&mut s, &k);
        let limited = Delivery::Retrying { status: Some(429), delay_ms: 30_500 };
        assert_eq!(
            effects(s.update(report(&k, limited))),
            vec![FormEffect::Render, FormEffect::Announce(FormText::FormRateLimited)]
        );
        assert_eq!(s.phase(), Phase::RateLimited { retry_after_s: 31 }, "30.5 s rounded up");
        assert_eq!(s.pending(), Some(&k), "the outbox still holds it");
    }

    #[test]
    fn a_dropped_request_fails_and_the_retry_posts_a_new_one() {
        let mut s = Submission::default();
        let k = key(1);
        posted(&mut s, &k);
        assert_eq!(
            effects(s.update(report(&k, Delivery::Dropped))),
            vec![FormEffect::Render, FormEffect::Announce(FormText::FormFailed)]
        );
        assert_eq!((s.phase(), s.pending()), (Phase::Failed, None));
        let again = posted(&mut s, &key(2));
        assert!(matches!(again[0], FormEffect::Post { .. }), "{again:?}");
        assert_eq!(s.pending(), Some(&key(2)));
    }

    #[test]
    fn nothing_queued_is_a_failure_and_outcomes_need_a_request_in_flight() {
        let mut s = Submission::default();
        for msg in [
            SubmissionMsg::Failed,
            SubmissionMsg::RateLimited { retry_after_s: 1 },
            SubmissionMsg::Delivered(String::new()),
            SubmissionMsg::Queued(key(1)),
        ] {
            assert!(effects(s.update(msg)).is_empty());
        }
        assert_eq!((s.phase(), s.pending()), (Phase::Editing, None), "a key arriving while editing is not kept");
        assert_eq!(s.update::<u8>(SubmissionMsg::Submit), Step::Check);
        s.send::<u8>(Endpoint::Newsletter, Json::Null);
        assert_eq!(
            effects(s.update(SubmissionMsg::Failed)),
            vec![FormEffect::Render, FormEffect::Announce(FormText::FormFailed)]
        );
        assert_eq!(s.reject(7u8), vec![FormEffect::Render, FormEffect::FocusField(7)]);
        assert_eq!(s.phase(), Phase::Editing);
    }
}
