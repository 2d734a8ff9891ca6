"""Signed webhooks: a sender's header is accepted only for the same secret, body and a fresh timestamp."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from otklik.domain.signature import SignatureError, compute_signature, sign, verify

SECRET = "local-dev-secret"
BODY = '{"id": "site-10234", "kind": "review", "text": "Порвалось"}'.encode()
SIGNED_AT = 1_795_329_660


def accepts(header: str, body: bytes = BODY, now_unix: int = SIGNED_AT, tolerance_seconds: int = 300) -> bool:
    """Whether the receiver (holding SECRET) lets the request through."""
    try:
        verify(header, body, SECRET, now_unix=now_unix, tolerance_seconds=tolerance_seconds)
    except SignatureError:
        return False
    return True


def test_a_signed_body_verifies_with_the_same_secret() -> None:
    # Given a body signed the way a sender does
    header = sign(SECRET, BODY, SIGNED_AT)

    # When the receiver checks it at the moment it was signed, Then nothing is refused
    assert accepts(header)
    assert header.startswith(f"t={SIGNED_AT},v1=")


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    # Given the documented recipe: hex HMAC-SHA256(secret, "<t>." + raw body)
    expected = hmac.new(SECRET.encode(), f"{SIGNED_AT}.".encode() + BODY, hashlib.sha256).hexdigest()

    # When otklik signs, Then senders following the recipe by hand get the same value
    assert compute_signature(SECRET, SIGNED_AT, BODY) == expected
    assert sign(SECRET, BODY, SIGNED_AT) == f"t={SIGNED_AT},v1={expected}"


def test_a_signature_made_with_another_secret_is_refused() -> None:
    header = sign("someone-elses-secret", BODY, SIGNED_AT)

    with pytest.raises(SignatureError, match="does not match"):
        verify(header, BODY, SECRET, now_unix=SIGNED_AT)


def test_a_body_changed_after_signing_is_refused() -> None:
    header = sign(SECRET, BODY, SIGNED_AT)
    tampered = BODY.replace("Порвалось".encode(), "Отлично".encode())

    with pytest.raises(SignatureError, match="does not match"):
        verify(header, tampered, SECRET, now_unix=SIGNED_AT)


@pytest.mark.parametrize("skew", [300, -300, 0, 299, -299], ids=lambda s: f"{s:+d}s")
def test_a_timestamp_within_five_minutes_of_now_is_accepted(skew: int) -> None:
    # Given a header signed at t, When checked at t + skew (clocks drift both ways)
    header = sign(SECRET, BODY, SIGNED_AT)

    # Then it is accepted up to and including 300 s either way
    assert accepts(header, now_unix=SIGNED_AT + skew)


@pytest.mark.parametrize("skew", [301, -301, 86_400, -86_400], ids=lambda s: f"{s:+d}s")
def test_a_timestamp_more_than_five_minutes_from_now_is_refused(skew: int) -> None:
    # Given a header replayed late (positive skew) or dated in the future (negative skew)
    header = sign(SECRET, BODY, SIGNED_AT)

    with pytest.raises(SignatureError, match="300 s"):
        verify(header, BODY, SECRET, now_unix=SIGNED_AT + skew)


def test_the_tolerance_can_be_narrowed() -> None:
    header = sign(SECRET, BODY, SIGNED_AT)

    assert accepts(header, now_unix=SIGNED_AT + 60, tolerance_seconds=60)
    assert not accepts(header, now_unix=SIGNED_AT + 61, tolerance_seconds=60)


@pytest.mark.parametrize("header", [None, ""], ids=["absent", "empty"])
def test_a_missing_header_is_refused_and_named(header: str | None) -> None:
    with pytest.raises(SignatureError, match="missing X-Otklik-Signature"):
        verify(header, BODY, SECRET, now_unix=SIGNED_AT)


VALID_HEX = compute_signature(SECRET, SIGNED_AT, BODY)


@pytest.mark.parametrize(
    "header",
    [
        f"v1={VALID_HEX}",
        f"t={SIGNED_AT}",
        f"t=yesterday,v1={VALID_HEX}",
        f"t=-{SIGNED_AT},v1={VALID_HEX}",
        f"t={SIGNED_AT}.5,v1={VALID_HEX}",
        "garbage",
        VALID_HEX,
        f"t={SIGNED_AT};v1={VALID_HEX}",
        ",",
    ],
    ids=[
        "missing-t",
        "missing-v1",
        "non-numeric-t",
        "negative-t",
        "fractional-t",
        "garbage",
        "bare-hex",
        "semicolon",
        "only-comma",
    ],
)
def test_a_malformed_header_is_refused_with_a_signature_error(header: str) -> None:
    with pytest.raises(SignatureError):
        verify(header, BODY, SECRET, now_unix=SIGNED_AT)


def test_a_timestamp_of_unicode_superscript_digits_is_a_signature_error() -> None:
    with pytest.raises(SignatureError):
        verify(f"t=²,v1={VALID_HEX}", BODY, SECRET, now_unix=SIGNED_AT)


def test_during_secret_rotation_a_header_with_one_matching_v1_is_accepted() -> None:
    # Given a sender that signs with both its old and its new secret
    old = compute_signature("old-secret", SIGNED_AT, BODY)
    new = compute_signature(SECRET, SIGNED_AT, BODY)

    # When the receiver knows only the new one, Then either order verifies
    assert accepts(f"t={SIGNED_AT},v1={old},v1={new}")
    assert accepts(f"t={SIGNED_AT},v1={new},v1={old}")


def test_several_v1_values_none_of_which_match_are_refused() -> None:
    first = compute_signature("old-secret", SIGNED_AT, BODY)
    second = compute_signature("other-secret", SIGNED_AT, BODY)

    with pytest.raises(SignatureError, match="does not match"):
        verify(f"t={SIGNED_AT},v1={first},v1={second}", BODY, SECRET, now_unix=SIGNED_AT)
