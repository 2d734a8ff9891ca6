"""Building signed webhook requests the way a sender would."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from otklik.domain.signature import sign

ROOT = Path(__file__).resolve().parents[2]
LOCAL_SECRET = "local-dev-secret"


def sample_body(**changes: Any) -> bytes:
    """The events/ sample webhook body, with fields changed as asked."""
    document = json.loads((ROOT / "events" / "webhook_body_custom.json").read_text("utf-8"))
    document.update(changes)
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def signature_for(body: bytes, secret: str = LOCAL_SECRET, at: int | None = None) -> str:
    return sign(secret, body, int(time.time()) if at is None else at)
