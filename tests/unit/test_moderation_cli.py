"""`otklik moderate`: JSON lines in, each line back with {"flags": [...], "reasons": [...]}."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from otklik.entrypoints.cli import main


def run_moderate(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], lines: list[str], *flags: str
) -> tuple[int, list[dict[str, Any]], str]:
    """Run `otklik moderate` on lines; its exit code, the JSON lines it wrote, and its stderr."""
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(line + "\n" for line in lines)))
    code = main(["moderate", *flags])
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines()], captured.err


def test_each_line_comes_back_with_its_flags_and_reasons(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an advertisement, an insult with a contact, and a clean complaint, with fields of their own
    lines = [
        json.dumps({"text": "КУПИТЕ на сайте casino777.com!!!", "id": 1}),
        json.dumps({"text": "Продавец дебил, пишите @shop_msk", "id": 2}, ensure_ascii=False),
        json.dumps({"text": "Кошмар, отвратительно", "id": 3}, ensure_ascii=False),
    ]

    # When moderated
    code, written, err = run_moderate(monkeypatch, capsys, lines)

    # Then every line is back, its fields kept, with moderation in the shape DESIGN.md fixes
    assert (code, err) == (0, "")
    assert [row["id"] for row in written] == [1, 2, 3]
    assert written[0]["moderation"]["flags"] == ["advertising"]
    assert written[0]["moderation"]["reasons"][1] == {
        "flag": "advertising",
        "text": "casino777.com",
        "start": 16,
        "end": 29,
        "why": "a link to a site",
    }
    assert written[1]["moderation"]["flags"] == ["contacts", "insult"]
    assert {reason["flag"] for reason in written[1]["moderation"]["reasons"]} == {"contacts", "insult"}
    assert written[2]["moderation"] == {"flags": [], "reasons": []}


def test_author_product_and_seen_before_are_read_from_the_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "Куртка пришла быстро, ткань плотная, капюшон держится, размер соответствует таблице продавца"
    line = {"text": text, "author": "b", "product": "p", "seen_before": {"author": "a", "product": "p"}}

    _, [row], _ = run_moderate(monkeypatch, capsys, [json.dumps(line, ensure_ascii=False)])

    assert row["moderation"]["flags"] == ["fake_signal"]


def test_a_bad_line_is_named_and_the_others_are_moderated(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["nope", json.dumps({"txt": "x"}), json.dumps({"text": "бля", "author": 5}), "", '{"text": "ок"}']

    code, written, err = run_moderate(monkeypatch, capsys, lines)

    assert code == 1
    assert [row["text"] for row in written] == ["ок"]
    assert err.splitlines() == [
        "line 1: the line is not valid JSON: Expecting value at line 1",
        "line 2: each line must be a JSON object with a string 'text'",
        "line 3: 'author' must be a string when given",
    ]


def test_the_moderation_settings_of_a_configuration_document_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    document = tmp_path / "otklik.yaml"
    document.write_text("moderation:\n  disabled_flags: [profanity]\n", "utf-8")

    _, [row], _ = run_moderate(monkeypatch, capsys, ['{"text": "бля"}'], "--config", str(document))

    assert row["moderation"]["flags"] == []


def test_an_invalid_configuration_document_is_refused_with_its_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    document = tmp_path / "otklik.yaml"
    document.write_text("moderation:\n  disabled_flags: [spam]\n", "utf-8")

    code, written, err = run_moderate(monkeypatch, capsys, ['{"text": "бля"}'], "--config", str(document))

    assert (code, written) == (2, [])
    assert err.startswith(f"{document}: moderation.disabled_flags[0]: unknown flag 'spam'")
