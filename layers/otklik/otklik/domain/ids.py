"""Deterministic ids: the same feedback from the same place always gets the same id."""

from hashlib import sha256


def _digest(*parts: str) -> str:
    joined = "\x1f".join(parts)
    return sha256(joined.encode("utf-8")).hexdigest()[:24]


def feedback_id(source: str, account: str, kind: str, external_id: str) -> str:
    """Id of a feedback item from (source, account, kind, external id), so a redelivery is a duplicate."""
    return "fb_" + _digest(source, account, kind, external_id)


def ticket_id(feedback_id: str) -> str:
    """One ticket per feedback item that needs work."""
    return "tk_" + _digest("ticket", feedback_id)


def reply_id(ticket_id: str, text: str) -> str:
    """The same text approved twice on a ticket is the same reply, published once."""
    return "rp_" + _digest("reply", ticket_id, text)


def notification_id(ticket_id: str, event: str) -> str:
    """One notification per ticket event."""
    return "nt_" + _digest("notification", ticket_id, event)
