"""The otklik command line: signing a body for a webhook, and scoring tonality of JSON lines."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from otklik.domain.signature import SignatureError, verify
from otklik.entrypoints import cli
from otklik.entrypoints.cli import main
from tests.conftest import EVENTS

BODY_FILE = EVENTS / "webhook_body_custom.json"


def webhook_accepts(header: str, body: bytes, secret: str, now_unix: int) -> bool:
    try:
        verify(header, body, secret, now_unix=now_unix)
    except SignatureError:
        return False
    return True


def run_score(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], lines: list[str], *flags: str
) -> tuple[int, list[dict[str, Any]], str]:
    """Run `otklik tonality score` on lines; its exit code, the JSON lines it wrote, and its stderr."""
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(line + "\n" for line in lines)))
    code = main(["tonality", "score", *flags])
    captured = capsys.readouterr()
    written = [json.loads(line) for line in captured.out.splitlines()]
    return code, written, captured.err


def test_sign_prints_a_header_the_webhook_accepts(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sign", str(BODY_FILE), "--secret", "s", "--timestamp", "123"])

    header = capsys.readouterr().out.strip()
    assert code == 0
    assert header.startswith("t=123,v1=")
    assert webhook_accepts(header, BODY_FILE.read_bytes(), "s", 123)


def test_sign_uses_the_local_secret_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OTKLIK_WEBHOOK_SECRET", raising=False)
    body = tmp_path / "body.json"
    body.write_bytes(b'{"id": "1", "kind": "review", "rating": 5, "created_at": "2026-11-22T09:41:00+03:00"}')

    main(["sign", str(body), "--timestamp", "1795329660"])

    header = capsys.readouterr().out.strip()
    assert webhook_accepts(header, body.read_bytes(), "local-dev-secret", 1795329660)


def test_sign_takes_the_secret_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OTKLIK_WEBHOOK_SECRET", "from-env")
    body = tmp_path / "body.json"
    body.write_bytes(b"{}")

    main(["sign", str(body), "--timestamp", "100"])

    header = capsys.readouterr().out.strip()
    assert webhook_accepts(header, b"{}", "from-env", 100)


def test_tonality_score_adds_a_tonality_object_to_each_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        json.dumps({"id": 1, "text": "Terrible quality, it broke after one day. Awful!"}),
        json.dumps({"id": 2, "text": "Отличный рюкзак", "rating": 5}, ensure_ascii=False),
        json.dumps({"id": 3, "text": "Рюкзак пришёл во вторник"}, ensure_ascii=False),
    ]

    code, written, err = run_score(monkeypatch, capsys, lines)

    assert code == 0
    assert err == ""
    assert [line["id"] for line in written] == [1, 2, 3]
    english = written[0]["tonality"]
    assert (english["label"], english["lang"], english["engine"]) == ("negative", "en", "vader")
    assert -1.0 <= english["compound"] < 0
    russian = written[1]["tonality"]
    assert (russian["label"], russian["lang"]) == ("positive", "ru")
    assert russian["engine"].split("+")[0] == "otklik-ru"
    assert russian["compound"] > russian["text_compound"] > 0  # five stars lift a positive text further
    assert written[1]["text"] == "Отличный рюкзак"
    assert (written[2]["tonality"]["label"], written[2]["tonality"]["compound"]) == ("neutral", 0.0)


def test_tonality_score_honours_a_given_language(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, written, _ = run_score(monkeypatch, capsys, [json.dumps({"text": "Terrible", "lang": "ru"})])

    assert written[0]["tonality"]["lang"] == "ru"
    assert written[0]["tonality"]["engine"] == "otklik-ru+vader"


def test_text_only_ignores_ratings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    line = json.dumps({"text": "Отличный рюкзак", "rating": 5}, ensure_ascii=False)

    code, written, _ = run_score(monkeypatch, capsys, [line], "--text-only")

    assert code == 0
    tonality = written[0]["tonality"]
    assert tonality["compound"] == tonality["text_compound"]
    assert tonality["label"] == "positive"
    assert written[0]["rating"] == 5


@pytest.mark.parametrize(
    "bad",
    [
        "not json",
        "[1, 2]",
        '{"rating": 5}',
        '{"text": 42}',
        '{"text": "Плохо", "rating": 7}',
        '{"text": "Плохо", "rating": 4.5}',
    ],
    ids=["not-json", "array", "no-text", "text-not-string", "rating-7", "rating-fraction"],
)
def test_a_bad_line_is_reported_and_the_good_ones_still_written(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    lines = [json.dumps({"text": "Great!"}), bad, json.dumps({"text": "Awful!"})]

    code, written, err = run_score(monkeypatch, capsys, lines)

    assert code == 1
    assert [line["text"] for line in written] == ["Great!", "Awful!"]
    assert err.startswith("line 2:")
    assert err.count("\n") == 1


def test_blank_lines_are_skipped(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, written, err = run_score(monkeypatch, capsys, ["", json.dumps({"text": "Great!"}), "   "])

    assert code == 0
    assert len(written) == 1
    assert err == ""


def test_a_line_with_a_non_string_lang_is_reported_like_any_bad_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [json.dumps({"text": "Good", "lang": 5}), json.dumps({"text": "Awful!"})]

    code, written, err = run_score(monkeypatch, capsys, lines)

    assert code == 1
    assert [line["text"] for line in written] == ["Awful!"]
    assert err.startswith("line 1:")


def test_a_boolean_rating_is_reported_not_taken_as_one_star(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    line = json.dumps({"text": "Отличный рюкзак", "rating": True}, ensure_ascii=False)

    code, written, err = run_score(monkeypatch, capsys, [line])

    assert code == 1
    assert written == []
    assert err.startswith("line 1:")


def _lines_of_every_kind(count: int) -> list[str]:
    """count input lines: Russian and English texts with and without stars, langs and kinds, and now and
    then a blank line or a bad one."""
    texts = [
        ("Отличный рюкзак, очень удобный, всем советую!", None, 5, "review"),
        ("Terrible quality, it broke after one day.", None, None, None),
        ("Шов разошёлся через неделю, но продавец вернул деньги", "ru", 2, "chat"),
        ("Рюкзак пришёл во вторник", None, None, "question"),
        ("Не рекомендую, деньги на ветер)))", None, 4, "complaint"),
        ("Good", "en", 3, "nonsense-kind"),
    ]
    lines = []
    for number in range(count):
        if number % 13 == 5:
            lines.append("   ")
        elif number % 11 == 7:
            lines.append('{"text": "Плохо", "rating": 9}')
        else:
            text, lang, rating, kind = texts[number % len(texts)]
            document = {"id": number, "text": text, "lang": lang, "rating": rating, "kind": kind}
            lines.append(json.dumps({k: v for k, v in document.items() if v is not None}, ensure_ascii=False))
    return lines


@pytest.mark.parametrize(
    "flags", [(), ("--text-only",), ("--model", "lexicon")], ids=["default", "text-only", "lexicon"]
)
def test_lines_are_scored_in_batches_exactly_as_each_would_be_alone(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], flags: tuple[str, ...]
) -> None:
    from otklik.domain import tonality

    lines = _lines_of_every_kind(3 * cli.SCORE_LINES + 5)

    code, written, err = run_score(monkeypatch, capsys, lines, *flags)

    expected = []
    for line in lines:
        if not line.strip() or '"rating": 9' in line:
            continue
        document = json.loads(line)
        kind = document.get("kind") if document.get("kind") in cli.FEEDBACK_KINDS else None
        tone = tonality.score(
            document["text"],
            document.get("lang"),
            document.get("rating"),
            text_only="--text-only" in flags,
            model="lexicon" if "lexicon" in flags else "shipped",
            kind=kind,
        )
        expected.append({**document, "tonality": tone.model_dump()})
    assert code == 1
    assert written == expected
    bad = [number for number, line in enumerate(lines, 1) if '"rating": 9' in line]
    assert err.splitlines() == [
        f"line {number}: 'rating' must be a whole number of stars from 1 to 5" for number in bad
    ]


def test_a_batch_of_bad_lines_alone_writes_nothing_and_fails(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, written, err = run_score(monkeypatch, capsys, ["not json", "", '{"text": 1}'])

    assert (code, written) == (1, [])
    assert [row.split(":")[0] for row in err.splitlines()] == ["line 1", "line 3"]


def test_a_lone_surrogate_or_a_nan_is_a_bad_line_and_the_batch_is_still_written(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # "\ud800" and NaN parse, but no output line could carry them as text or as JSON.
    lines = [
        '{"text": "Хорошо"}',
        '{"text": "bad \\ud800"}',
        '{"text": "a smile \\ud83d\\ude00"}',
        '{"text": "Плохо", "score": NaN}',
        '{"text": "Fine"}',
    ]

    code, written, err = run_score(monkeypatch, capsys, lines)

    assert code == 1
    assert [line["text"] for line in written] == ["Хорошо", "a smile \U0001f600", "Fine"]
    assert err.splitlines() == [
        "line 2: the line holds a lone UTF-16 surrogate (\\ud800-\\udfff), not text",
        "line 4: NaN is not a JSON number",
    ]


class _Terminal(io.StringIO):
    """A terminal's input: each line is given only once the answer to the one before was written."""

    def __init__(self, lines: list[str], out: io.StringIO) -> None:
        super().__init__()
        self.lines, self.out = lines, out

    def isatty(self) -> bool:
        return True

    def __iter__(self):  # type: ignore[no-untyped-def]
        for answered, line in enumerate(self.lines):
            assert self.out.getvalue().count("\n") == answered, "a line waited for the next one"
            yield line + "\n"


def test_from_a_terminal_each_line_is_answered_before_the_next_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = io.StringIO()
    lines = [json.dumps({"text": text}) for text in ("Great!", "Awful!", "Fine, I guess")]
    monkeypatch.setattr(sys, "stdin", _Terminal(lines, out))
    monkeypatch.setattr(sys, "stdout", out)

    assert main(["tonality", "score"]) == 0
    assert [json.loads(line)["text"] for line in out.getvalue().splitlines()] == [
        "Great!",
        "Awful!",
        "Fine, I guess",
    ]
