"""Replies to feedback: the check a reply passes before it is approved and again before it is published."""

from __future__ import annotations

from otklik.domain.replies.check import CHECKS, ReplyCheck, ReplyProblem, check_reply

__all__ = ["CHECKS", "ReplyCheck", "ReplyProblem", "check_reply"]
