"""Hooks for server/contract/check.sh: rules of the contract (server/openapi.yaml) that
JSON Schema cannot state, applied to every generated request before it is sent, so that a
request the schemas call valid is valid.

* `Idempotency-Key` is required with `application/json` only: a beacon (`text/plain`)
  cannot set headers and carries the key in its envelope, so the schema makes the header
  optional. A JSON request without one gets a key.
* A key names one request; the same key with another body is `422 idempotency_key_reused`.
  Generated keys repeat ("0", "a"), so every well-formed key (header or envelope) is
  replaced by a fresh one. Malformed keys stay: the negative tests are about them.
* A beacon's well-formed header key must be the envelope's key: it gets the same fresh key.
* A consent event's `history` entries have a lower `seq` than the event and, where they
  name one, the event's `consent_id`.

Malformed values are never touched, only values that are valid on their own.
"""

import re
import uuid

import schemathesis

API_POSTS = {"/api/consent", "/api/newsletter/subscribe", "/api/newsletter/unsubscribe", "/api/rights-requests"}
KEY = re.compile(r"[A-Za-z0-9_-]{1,128}")
CONSENT_ID = re.compile(r"[0-9a-f]{32}")
MAX_SEQ = 9007199254740991


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.operation.method.upper() != "POST" or case.operation.path not in API_POSTS:
        return
    if case.media_type == "application/json":
        if _replaceable_key(case.headers.get("Idempotency-Key")):
            case.headers["Idempotency-Key"] = _fresh_key()
        body = case.body
    elif case.media_type == "text/plain" and isinstance(case.body, dict):
        if _replaceable_key(case.body.get("idempotency_key"), missing_ok=False):
            case.body["idempotency_key"] = _fresh_key()
            if _replaceable_key(case.headers.get("Idempotency-Key"), missing_ok=False):
                case.headers["Idempotency-Key"] = case.body["idempotency_key"]
        body = case.body.get("body")
    else:
        return
    if case.operation.path == "/api/consent" and isinstance(body, dict):
        _order_history(body)


def _fresh_key():
    return uuid.uuid4().hex


def _replaceable_key(key, missing_ok=True):
    if key is None:
        return missing_ok
    return isinstance(key, str) and KEY.fullmatch(key) is not None


def _seq(value):
    """The value as a valid seq (JSON Schema integers include 2.0), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if float(value).is_integer() and 1 <= value <= MAX_SEQ:
        return int(value)
    return None


def _order_history(event):
    seq = _seq(event.get("seq"))
    history = event.get("history")
    if seq is None or not isinstance(history, list):
        return
    entries = [entry for entry in history if isinstance(entry, dict)]
    earlier = [s for s in (_seq(entry.get("seq")) for entry in entries) if s is not None]
    if earlier and max(earlier) >= seq:
        # Raise the event above its history; at the top of the range, lower the history.
        seq = event["seq"] = min(max(earlier) + 1, MAX_SEQ)
        for entry in entries:
            entry_seq = _seq(entry.get("seq"))
            if entry_seq is not None and entry_seq >= seq:
                entry["seq"] = seq - 1
    consent_id = event.get("consent_id")
    if isinstance(consent_id, str) and CONSENT_ID.fullmatch(consent_id):
        for entry in entries:
            named = entry.get("consent_id")
            if isinstance(named, str) and CONSENT_ID.fullmatch(named):
                entry["consent_id"] = consent_id
