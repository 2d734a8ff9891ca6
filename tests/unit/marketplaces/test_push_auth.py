"""Push URLs: a wrong token looks like no endpoint at all; a right token from a foreign address is refused."""

from __future__ import annotations

import pytest

from otklik.domain.errors import NotAuthenticated, NotFound
from otklik.domain.marketplaces.push_auth import check_push

SECRET = "s3cr3t-push-token-8d1f"
YANDEX = ("5.45.207.0/25", "141.8.142.0/25", "5.255.253.0/25")


def test_the_right_token_from_anywhere_passes_when_no_addresses_are_listed() -> None:
    check_push(SECRET, SECRET, "203.0.113.7", ())


def test_the_right_token_from_inside_an_allowed_range_passes() -> None:
    check_push(SECRET, SECRET, "141.8.142.17", YANDEX)


def test_an_ipv4_address_seen_through_a_dual_stack_proxy_is_matched_as_ipv4() -> None:
    check_push(SECRET, SECRET, "::ffff:5.255.253.3", YANDEX)


@pytest.mark.parametrize("token", ["wrong", "", SECRET + "x", "ѕ3cr3t-push-token-8d1f"])
def test_a_wrong_token_answers_not_found(token: str) -> None:
    with pytest.raises(NotFound):
        check_push(token, SECRET, "141.8.142.17", YANDEX)


def test_a_connection_with_an_empty_secret_accepts_nobody() -> None:
    with pytest.raises(NotFound):
        check_push("", "", "141.8.142.17", ())


@pytest.mark.parametrize("source", ["203.0.113.7", "5.45.207.200", "2001:db8::1", "not-an-ip"])
def test_the_right_token_from_outside_the_allowed_ranges_is_unauthorized(source: str) -> None:
    with pytest.raises(NotAuthenticated):
        check_push(SECRET, SECRET, source, YANDEX)
