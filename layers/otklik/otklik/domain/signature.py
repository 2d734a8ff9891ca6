"""Signed webhooks: X-Otklik-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>."""

import hashlib
import hmac

SIGNATURE_HEADER = "X-Otklik-Signature"
DEFAULT_TOLERANCE_SECONDS = 300
# Room for t and a dozen v1 values (a sender rotating secrets sends two); anything longer is not a
# signature, and refusing it early keeps the parsing below bounded whatever is sent.
MAX_HEADER_CHARS = 1024
# Unix seconds have 10 digits until the year 2286; 12 digits are far enough. int() of an unbounded
# digit string raises past Python's 4,300-digit limit, and is slow long before it.
MAX_TIMESTAMP_DIGITS = 12


class SignatureError(Exception):
    """The request's signature is missing, malformed, stale or wrong."""


def compute_signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The header value a sender puts in X-Otklik-Signature."""
    return f"t={timestamp},v1={compute_signature(secret, timestamp, body)}"


def _parse(header: str) -> tuple[int, list[bytes]]:
    if len(header) > MAX_HEADER_CHARS:
        raise SignatureError(f"signature header is longer than {MAX_HEADER_CHARS} characters")
    if not header.isascii():
        # HTTP headers are ASCII; and hmac.compare_digest refuses a str that is not.
        raise SignatureError("signature header must be ASCII")
    timestamp: int | None = None
    candidates: list[bytes] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureError("signature header must look like t=<unix seconds>,v1=<hex>")
        if key == "t":
            if not (value.isdigit() and len(value) <= MAX_TIMESTAMP_DIGITS):
                raise SignatureError("signature timestamp t must be unix seconds")
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value.encode("ascii"))
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
    expected = compute_signature(secret, timestamp, body).encode("ascii")
    # Several v1 values are allowed so a sender can rotate secrets; each is compared in constant time.
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureError(
            "signature does not match the body; sign the exact bytes you send "
            "(curl --data-binary @file keeps them; -d strips newlines)"
        )
