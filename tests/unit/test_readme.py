"""The README's promises that can drift from the files they talk about, checked against those files."""

from __future__ import annotations

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from infra.fakes.server import SEED_EPOCH
from infra.local.__main__ import FAKE_PORTS, STACK_PORTS
from tests.conftest import EVENTS, ROOT

README = (ROOT / "README.md").read_text("utf-8")
MOSCOW = ZoneInfo("Europe/Moscow")


def test_the_days_the_readme_asks_for_are_the_day_of_its_own_sample_and_of_the_fakes_data() -> None:
    sample = json.loads((EVENTS / "webhook_body_custom.json").read_text("utf-8"))
    sample_day = datetime.fromisoformat(sample["created_at"]).astimezone(MOSCOW).date().isoformat()

    asked = set(re.findall(r"(?:day=|day-|--key )(\d{4}-\d{2}-\d{2})", README))

    assert asked == {sample_day}
    assert SEED_EPOCH.astimezone(MOSCOW).date().isoformat() == sample_day


def test_the_readme_lists_every_port_the_local_stack_opens_with_its_setting() -> None:
    for setting, port in {**STACK_PORTS, **FAKE_PORTS}.items():
        assert setting in README
        assert str(port) in README


def test_the_readme_curls_show_status_codes() -> None:
    curls = [line for line in README.splitlines() if line.lstrip().startswith("curl ")]

    assert curls
    assert [line for line in curls if "-sS -i" not in line] == []


def test_the_pictures_the_readme_shows_are_there_and_are_pngs() -> None:
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)

    assert pictures
    for picture in pictures:
        assert (ROOT / picture).read_bytes().startswith(b"\x89PNG\r\n\x1a\n"), picture
