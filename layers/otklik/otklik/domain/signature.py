"""Signed webhooks: X-Otklik-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>."""

import hashlib
import hmac

SIGNATURE_HEADER = "X-Otklik-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


class SignatureError(Exception):
    """The request's signature is missing, malformed, stale or wrong."""


def compute_signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The header value a sender puts in X-Otklik-Signature."""
    return f"t={timestamp},v1={compute_signature(secret, timestamp, body)}"


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureError("signature header must look like t=<unix seconds>,v1=<hex>")
        if key == "t":
            if not (value.isascii() and value.isdigit()):
                raise SignatureError("signature timestamp t must be unix seconds")
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureError("signature header needs both t and v1")
    return timestamp, candidates


def verify(
    header: str | None,
    body: bytes,
    secret: str,
    now_unix: int,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Raise SignatureError unless header signs body with secret within tolerance of now."""
    if not header:
        raise SignatureError(f"missing {SIGNATURE_HEADER} header")
    timestamp, candidates = _parse(header)
    if abs(now_unix - timestamp) > tolerance_seconds:
        raise SignatureError(f"signature timestamp is more than {tolerance_seconds} s from now")
    expected = compute_signature(secret, timestamp, body)
    # Several v1 values are allowed so a sender can rotate secrets; each is compared in constant time.
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureError(
            "signature does not match the body; sign the exact bytes you send "
            "(curl --data-binary @file keeps them; -d strips newlines)"
        )
