"""Who may push to a connection's URL: the secret token in the URL, then the platform's source addresses.

A wrong token answers NotFound (404), exactly like a connection that does not exist: without
the token nobody learns which connection names are real. A right token from an address outside
the connection's allowlist answers NotAuthenticated (401): that caller knows the secret already, and
the operator needs to see that the address, not the URL, is what failed. Yandex Market publishes
its ranges (5.45.207.0/25, 141.8.142.0/25, 5.255.253.0/25) and asks to check every request
against them; an empty allowlist accepts any address.
"""

from __future__ import annotations

import hmac
import ipaddress

from otklik.domain.errors import NotAuthenticated, NotFound


def _address(source_ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        address = ipaddress.ip_address(source_ip.strip())
    except ValueError as error:
        raise NotAuthenticated(f"push from an unreadable source address {source_ip!r}") from error
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:5.45.207.10 is 5.45.207.10 behind a dual-stack proxy
    return address


def address_allowed(source_ip: str, allowed: tuple[str, ...]) -> bool:
    """Whether source_ip is inside one of the allowed addresses or CIDR ranges (any, when none is given)."""
    if not allowed:
        return True
    address = _address(source_ip)
    for entry in allowed:
        network = ipaddress.ip_network(entry.strip(), strict=False)
        if address.version == network.version and address in network:
            return True
    return False


def check_push(token_from_url: str, expected: str, source_ip: str, allowed: tuple[str, ...]) -> None:
    """Accept the push or raise: NotFound for a wrong token, NotAuthenticated for an address not allowed."""
    if not expected or not hmac.compare_digest(token_from_url.encode("utf-8"), expected.encode("utf-8")):
        raise NotFound("no such push endpoint")
    if not address_allowed(source_ip, allowed):
        raise NotAuthenticated(f"pushes to this connection are not accepted from {source_ip}")
