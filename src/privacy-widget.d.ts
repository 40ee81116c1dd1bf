// Type declarations for privacy-widget's browser API (`window.PrivacyWidget`) and its DOM events.
// Shipped as www/dist/privacy-widget.d.ts by scripts/build.sh.

/** The visitor's current decision, as returned by `getConsent()` and carried by the events. */
export interface PrivacyWidgetConsent {
  /** Always "privacy-widget consent receipt v1". */
  receipt: string;
  /** 32 lowercase hex characters; stays the same across changes within a visit. */
  consent_id: string;
  /** Counts the decisions made under this consent id, starting at 1. */
  seq: number;
  /** The policy revision from the config that the decision was made under. */
  revision: string;
  /** How the decision was made; "withdraw" when it switched off something the decision before it allowed. */
  action: "accept_all" | "reject_all" | "save" | "accept_service" | "withdraw";
  /** Every configured category id → accepted. Required categories are always true. */
  categories: Record<string, boolean>;
  /** Every configured service id → accepted. */
  services: Record<string, boolean>;
  /** RFC 3339 UTC time of the decision, from the visitor's clock. */
  timestamp: string;
  /** Interface language the visitor saw: "nb", "nn" or "en". */
  language: string;
  /** SHA-256 (hex) of the banner and category texts the visitor was shown. */
  texts_hash: string;
  /** The browser sent Global Privacy Control when the decision was made. */
  gpc: boolean;
  /** The config's privacyPolicyUrl, when set. */
  privacy_policy_url?: string;
}

export interface PrivacyWidgetApi {
  /**
   * Resolves with this object once the widget has read its config and the rest of the API is
   * installed (also with an invalid config: then it fails closed). Until then only `ready` and
   * `loadExtras` exist. Reading `ready` loads the consent manager, which a returning visitor's
   * page otherwise may never need.
   */
  ready: Promise<PrivacyWidgetApi>;
  /** Shows the first layer (banner) again. */
  show(): void;
  /** Opens the preferences dialog. */
  showPreferences(): void;
  /** The current decision, or `null` before the visitor made one (or with an invalid config). */
  getConsent(): PrivacyWidgetConsent | null;
  /** Whether a category is accepted (all of its services are on). `false` before a decision. */
  acceptedCategory(categoryId: string): boolean;
  /** Whether one service is accepted. `false` before a decision. */
  acceptedService(serviceId: string): boolean;
  /** Calls `callback` after every decision; returns a function that unsubscribes. */
  onChange(callback: (consent: PrivacyWidgetConsent) => void): () => void;
  /**
   * Calls `callback` when the backend refused an event for good (a 4xx other than 408, 425,
   * 429): the event was dropped and will not be sent again. Retryable failures (5xx, network,
   * timeouts) are retried silently and never reported here. Returns a function that unsubscribes.
   */
  onError(callback: (error: PrivacyWidgetDeliveryError) => void): () => void;
  /** Opens the privacy statement (inline on the statement page, else as a dialog), optionally at a section id. */
  showStatement(sectionId?: string): void;
  /** The interface language in use: "nb", "nn" or "en". */
  language(): string;
  /** Switches the interface language ("nb", "nn", "en"); unknown tags are ignored. */
  setLanguage(tag: string): void;
  /** The policy revision of an earlier consent that no longer counts (the visitor is asked again), if any. */
  previousRevision(): string | undefined;
  /** Imports the statement viewer and forms module (done automatically when a page needs it). */
  loadExtras(): Promise<unknown>;
}

/** A permanent delivery failure, as passed to `PrivacyWidget.onError`. */
export interface PrivacyWidgetDeliveryError {
  endpoint: "consent" | "newsletter" | "rights_request" | "newsletter_withdrawal";
  /** The HTTP status, e.g. 403 or 422; `null` if delivery gave up on retryable failures. */
  status: number | null;
  /** The backend's explanation (`"<error code>: <message>"` from its JSON error body), or the start of the body. */
  error: string;
  /** The event's `Idempotency-Key`. */
  key: string;
}

declare global {
  interface Window {
    PrivacyWidget: PrivacyWidgetApi;
    dataLayer: unknown[];
    gtag: (...args: unknown[]) => void;
  }
  interface WindowEventMap {
    /** The API is complete (what resolves `PrivacyWidget.ready`); the current decision or `null`. */
    "privacy-widget:ready": CustomEvent<PrivacyWidgetConsent | null>;
    /** After the first decision of a visit. */
    "privacy-widget:consent": CustomEvent<PrivacyWidgetConsent>;
    /** After every decision, including the first. */
    "privacy-widget:change": CustomEvent<PrivacyWidgetConsent>;
    /** `setLanguage` changed the interface language (`"nb"`, `"nn"` or `"en"`): the statement, the
     * cookie declarations and the forms on the page follow it. */
    "privacy-widget:language": CustomEvent<string>;
    /** A permanent delivery failure of the consent manager or the forms (what `onError` reports). */
    "privacy-widget:error": CustomEvent<PrivacyWidgetDeliveryError>;
  }
}
