"""`otklik tickets|feedback|send`: each command sends the request the ops API documents, with its credentials,
prints a summary (or the answer with --json), and says an error in one line without a traceback."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from otklik.domain.signature import verify
from otklik.entrypoints import cli
from otklik.entrypoints.cli import build_parser
from otklik.entrypoints.cli_ops import run
from tests.support.loopback import JsonServer

TICKET = {
    "id": "tk_1",
    "feedback_id": "fb_1",
    "source": "custom",
    "account": "default",
    "kind": "review",
    "team": "support",
    "priority": "high",
    "status": "open",
    "reasons": ["low_rating"],
    "created_at": "2026-11-22T06:41:00Z",
    "first_response_due_at": "2026-11-22T10:41:00Z",
    "sla_breached": True,
    "tonality_label": "negative",
    "excerpt": "Ужасное качество, порвалось через день",
    "assignee": "anna",
    "history": [{"at": "2026-11-22T06:41:00Z", "by": "otklik", "status": "open", "note": "opened"}],
    "draft": {"text": "Здравствуйте! Разберёмся.", "template": "apology", "variant": "a"},
}


@pytest.fixture
def api(loopback: None) -> Iterator[JsonServer]:
    with JsonServer() as fake:
        yield fake


def _run(api: JsonServer, *argv: str, environ: Mapping[str, str] | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    args = build_parser().parse_args([*argv, "--api", api.url()])
    code = run(args, out, err, environ or {})
    return code, out.getvalue(), err.getvalue()


def test_tickets_list_asks_for_every_filter_with_the_local_token_and_prints_a_table(api: JsonServer) -> None:
    api.answers["/tickets"] = (200, {"status": "open", "items": [TICKET], "next_cursor": "abc"})

    code, out, err = _run(
        api, "tickets", "list", "--team", "support", "--priority", "high", "--assignee", "anna",
        "--breached", "--limit", "5",
    )  # fmt: skip

    assert (code, err) == (0, "")
    [request] = api.seen
    assert (request.method, request.path) == ("GET", "/tickets")
    assert request.query == {
        "team": "support", "priority": "high", "assignee": "anna", "breached": "true", "limit": "5"
    }  # fmt: skip
    assert request.headers["authorization"] == "Bearer local-dev-token"
    assert "x-api-key" not in request.headers
    header, row, more = out.splitlines()
    assert header.split() == ["ID", "STATUS", "PRIORITY", "TEAM", "ASSIGNEE", "DUE", "BREACHED", "EXCERPT"]
    assert row.split()[:7] == ["tk_1", "open", "high", "support", "anna", "2026-11-22T10:41:00Z", "yes"]
    assert "Ужасное качество" in row
    assert more == "more: --cursor abc"


def test_the_token_and_api_key_come_from_the_environment_when_not_given(api: JsonServer) -> None:
    api.answers["/tickets"] = (200, {"status": "resolved", "items": []})

    code, out, _ = _run(
        api, "tickets", "list", "--status", "resolved",
        environ={"OTKLIK_TOKEN": "t-123", "OTKLIK_API_KEY": "key-9"},
    )  # fmt: skip

    assert code == 0 and out == "no resolved tickets match\n"
    [request] = api.seen
    assert request.query == {"status": "resolved"}
    assert request.headers["authorization"] == "Bearer t-123"
    assert request.headers["x-api-key"] == "key-9"


def test_options_win_over_the_environment(api: JsonServer) -> None:
    code, _, _ = _run(
        api, "tickets", "show", "tk_1", "--token", "given", "--api-key", "k",
        environ={"OTKLIK_TOKEN": "from-env", "OTKLIK_API_URL": "http://127.0.0.1:9"},
    )  # fmt: skip

    assert code == 0
    assert api.seen[0].headers["authorization"] == "Bearer given"
    assert api.seen[0].headers["x-api-key"] == "k"


def test_tickets_show_prints_the_ticket_its_draft_and_history_and_json_prints_the_answer(
    api: JsonServer,
) -> None:
    api.answers["/tickets/tk_1"] = (200, TICKET)

    code, out, _ = _run(api, "tickets", "show", "tk_1")
    _, raw, _ = _run(api, "tickets", "show", "tk_1", "--json")

    assert code == 0
    assert [(s.method, s.path) for s in api.seen] == [("GET", "/tickets/tk_1")] * 2
    assert "status:                 open" in out
    assert "reasons:                low_rating" in out
    assert "first_response_due_at:  2026-11-22T10:41:00Z" in out
    assert "sla_breached:           yes" in out
    assert "draft (apology/a): Здравствуйте! Разберёмся." in out
    assert "history:\n  2026-11-22T06:41:00Z  open              by otklik  opened" in out
    assert json.loads(raw) == TICKET


def test_an_id_is_one_path_segment_whatever_it_holds(api: JsonServer) -> None:
    _run(api, "tickets", "show", "../feedback/fb_1?x=1")

    assert api.seen[0].path == "/tickets/..%2Ffeedback%2Ffb_1%3Fx%3D1"


def test_tickets_status_posts_the_change(api: JsonServer) -> None:
    api.answers["/tickets/tk_1/status"] = (200, {**TICKET, "status": "resolved"})

    code, out, _ = _run(
        api, "tickets", "status", "tk_1", "resolved", "--by", "anna", "--note", "Заменили",
        "--root-cause", "product_defect",
    )  # fmt: skip

    assert code == 0
    [request] = api.seen
    assert (request.method, request.path) == ("POST", "/tickets/tk_1/status")
    assert request.json() == {
        "status": "resolved",
        "by": "anna",
        "note": "Заменили",
        "root_cause": "product_defect",
    }
    assert request.headers["authorization"] == "Bearer local-dev-token"
    assert out == "tk_1: resolved, assigned to anna\n"


def test_tickets_status_sends_only_what_was_given(api: JsonServer) -> None:
    _run(api, "tickets", "status", "tk_1", "acknowledged", "--by", "anna")

    assert api.seen[0].json() == {"status": "acknowledged", "by": "anna"}


def test_tickets_assign_names_the_assignee_or_null_with_none(api: JsonServer) -> None:
    api.answers["/tickets/tk_1/assign"] = (200, {**TICKET, "assignee": None})

    _run(api, "tickets", "assign", "tk_1", "boris", "--by", "lead")
    code, out, _ = _run(api, "tickets", "assign", "tk_1", "--none", "--by", "lead")

    assert [(s.method, s.path) for s in api.seen] == [("POST", "/tickets/tk_1/assign")] * 2
    assert [s.json() for s in api.seen] == [
        {"assignee": "boris", "by": "lead"},
        {"assignee": None, "by": "lead"},
    ]
    assert code == 0 and out == "tk_1: open, assigned to nobody\n"


def test_tickets_reply_approves_the_text_given_or_without_one_the_draft(api: JsonServer) -> None:
    api.answers["/tickets/tk_1/reply"] = (
        202,
        {"ticket_id": "tk_1", "reply_id": "rp_1", "status": "approved"},
    )

    code, out, _ = _run(api, "tickets", "reply", "tk_1", "--by", "anna", "--text", "Вернём деньги")
    _run(api, "tickets", "reply", "tk_1", "--by", "anna")
    _run(api, "tickets", "reply", "tk_1", "--by", "anna", "--draft", "--after-reply", "waiting_customer")

    assert code == 0 and out == "tk_1: reply rp_1 approved, queued for its marketplace\n"
    assert [s.path for s in api.seen] == ["/tickets/tk_1/reply"] * 3
    assert [s.json() for s in api.seen] == [
        {"text": "Вернём деньги", "approved_by": "anna"},
        {"approved_by": "anna"},
        {"approved_by": "anna", "after_reply": "waiting_customer"},
    ]


def test_feedback_show_prints_the_masked_text_and_json_the_whole_item(api: JsonServer) -> None:
    item = {
        "id": "fb_1",
        "source": "custom",
        "kind": "review",
        "day": "2026-11-22",
        "rating": 1,
        "text": "пишите на anna@example.com",
        "text_masked": "пишите на [email]",
        "tonality": {"label": "negative", "compound": -0.7},
        "topics": [{"topic": "quality", "polarity": "negative", "evidence": "качество"}],
        "moderation": {"flags": ["contacts"], "reasons": []},
    }
    api.answers["/feedback/fb_1"] = (200, item)

    code, out, _ = _run(api, "feedback", "show", "fb_1")
    _, raw, _ = _run(api, "feedback", "show", "fb_1", "--json")

    assert code == 0 and api.seen[0].path == "/feedback/fb_1"
    assert "text (masked):          пишите на [email]" in out
    assert "anna@example.com" not in out
    assert "tonality:               negative (-0.7)" in out
    assert "topics:                 quality (negative)" in out
    assert "moderation:             contacts" in out
    assert json.loads(raw) == item


def test_feedback_explain_prints_the_words_topics_and_rules_behind_it(api: JsonServer) -> None:
    api.answers["/feedback/fb_1/explain"] = (
        200,
        {
            "id": "fb_1",
            "tonality": {
                "label": "negative",
                "compound": -0.7,
                "engine": "ru-lexicon",
                "contributions": [{"words": "ужасное", "value": -2.5, "steps": ["intensifier"]}],
            },
            "topics": [{"topic": "quality", "polarity": "negative", "evidence": "качество"}],
            "moderation": {"flags": [], "reasons": []},
            "routing": {
                "ticket_id": "tk_1",
                "team": "support",
                "priority": "high",
                "status": "open",
                "reasons": [{"reason": "low_rating", "why": "1 stars: a low rating"}],
                "matched_rules": [{"name": "low-stars", "why": ["rating 1 <= 2"]}],
                "now": {"ticket": True, "team": "support", "priority": "high"},
            },
        },
    )

    code, out, _ = _run(api, "feedback", "explain", "fb_1")

    assert code == 0 and api.seen[0].path == "/feedback/fb_1/explain"
    assert out.splitlines() == [
        "fb_1: tonality negative (-0.7), engine ru-lexicon",
        "  -2.500  ужасное  (intensifier)",
        "topic quality (negative): 'качество'",
        "ticket tk_1: support, high, open",
        "  because 1 stars: a low rating",
        "  rule low-stars: rating 1 <= 2",
        "the rules in force now: a ticket, support, high",
    ]


def test_an_error_answer_is_one_line_with_its_code_and_exit_2(api: JsonServer) -> None:
    api.answers["/tickets/tk_nope"] = (404, {"error": {"code": "not_found", "message": "no ticket tk_nope"}})
    api.answers["/tickets/tk_1/status"] = (
        409,
        {
            "error": {
                "code": "conflict",
                "message": "a ticket cannot go from closed to open",
                "details": [{"from": "closed", "to": "open", "allowed": []}],
            }
        },
    )

    missing = _run(api, "tickets", "show", "tk_nope")
    refused = _run(api, "tickets", "status", "tk_1", "open", "--by", "anna")

    assert missing == (2, "", "otklik: 404 not_found: no ticket tk_nope\n")
    assert refused == (
        2,
        "",
        "otklik: 409 conflict: a ticket cannot go from closed to open"
        ' [{"from": "closed", "to": "open", "allowed": []}]\n',
    )


def test_an_unauthorised_answer_says_where_the_token_comes_from(api: JsonServer) -> None:
    api.answers["/tickets"] = (
        401,
        {"error": {"code": "unauthorized", "message": "a valid Bearer token is required"}},
    )

    code, _, err = _run(api, "tickets", "list")

    assert code == 2
    assert (
        err == "otklik: 401 unauthorized: a valid Bearer token is required (check --token or $OTKLIK_TOKEN)\n"
    )


def test_through_main_an_error_is_one_line_and_no_traceback(
    api: JsonServer, capsys: pytest.CaptureFixture[str]
) -> None:
    api.answers["/feedback/fb_x"] = (404, {"error": {"code": "not_found", "message": "no feedback fb_x"}})

    code = cli.main(["feedback", "show", "fb_x", "--api", api.url()])

    captured = capsys.readouterr()
    assert (code, captured.out) == (2, "")
    assert captured.err == "otklik: 404 not_found: no feedback fb_x\n"


def test_a_remote_api_without_a_token_is_refused_before_any_request(loopback: None) -> None:
    out, err = io.StringIO(), io.StringIO()
    args = build_parser().parse_args(["tickets", "list", "--api", "https://ops.example.com/api"])

    # The loopback fixture makes any connection but to 127.0.0.1 raise: refusing first is the only pass.
    code = run(args, out, err, {})

    assert (code, out.getvalue()) == (2, "")
    assert err.getvalue().startswith("otklik: https://ops.example.com/api needs a token: give --token")


def test_an_api_that_cannot_be_reached_is_one_line_and_exit_1(loopback: None) -> None:
    out, err = io.StringIO(), io.StringIO()
    args = build_parser().parse_args(["tickets", "list", "--api", "http://127.0.0.1:9"])

    code = run(args, out, err, {})

    assert code == 1
    assert err.getvalue().startswith("otklik: cannot reach http://127.0.0.1:9: ")
    assert err.getvalue().endswith("(is the local stack running? `make run`)\n")
    assert err.getvalue().count("\n") == 1


def test_send_signs_exactly_the_files_bytes_and_posts_them_to_the_sources_webhook(
    api: JsonServer, tmp_path: Any
) -> None:
    # Not JSON as json.dumps writes it: a line break, UTF-8 as sent, a trailing newline.
    body = (
        '{"id": "x-1", "kind": "review",\n "text": "Плохо", "created_at": "2026-11-22T09:41:00Z"}\n'.encode()
    )
    file = tmp_path / "body.json"
    file.write_bytes(body)
    api.answers["/webhooks/custom"] = (202, {"id": "fb_9", "duplicate": False})

    code, out, err = _run(api, "send", str(file), "--source", "custom")

    assert (code, err) == (0, "")
    [request] = api.seen
    assert (request.method, request.path, request.body) == ("POST", "/webhooks/custom", body)
    verify(request.headers["x-otklik-signature"], body, "local-dev-secret", int(time.time()))
    assert request.headers["content-type"] == "application/json"
    assert "authorization" not in request.headers  # a webhook is signed, the ops token is not sent
    assert out == '202 {"id": "fb_9", "duplicate": false}\n'


def test_send_uses_the_secret_given_and_prints_a_refusal_in_one_line(api: JsonServer, tmp_path: Any) -> None:
    file = tmp_path / "body.json"
    file.write_bytes(b"{}")
    api.answers["/webhooks/shop"] = (
        400,
        {"error": {"code": "bad_request", "message": "body does not match"}},
    )

    code, out, err = _run(api, "send", str(file), "--source", "shop", "--secret", "s3cret")

    verify(api.seen[0].headers["x-otklik-signature"], b"{}", "s3cret", int(time.time()))
    assert (code, out, err) == (2, "", "otklik: 400 bad_request: body does not match\n")


def test_send_refuses_a_missing_file_and_a_remote_api_without_a_secret(loopback: None, tmp_path: Any) -> None:
    out, err = io.StringIO(), io.StringIO()
    missing = build_parser().parse_args(["send", str(tmp_path / "none.json"), "--source", "custom"])
    file = tmp_path / "body.json"
    file.write_bytes(b"{}")
    remote = build_parser().parse_args(
        ["send", str(file), "--source", "custom", "--api", "https://x.example"]
    )

    assert run(missing, out, err, {}) == 2
    assert run(remote, out, err, {}) == 2
    assert err.getvalue().splitlines() == [
        f"otklik: {tmp_path / 'none.json'}: no such file",
        "otklik: https://x.example needs the source's secret: give --secret or set $OTKLIK_WEBHOOK_SECRET",
    ]
