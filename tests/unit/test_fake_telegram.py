"""The fake Telegram Bot API refuses what Telegram refuses, in Telegram's words, and does as its knobs say."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

import pytest

from infra.fakes import FakeTelegram
from infra.fakes import telegram as fake_telegram
from infra.fakes.telegram import DEFAULT_TOKEN, parse_html
from tests.fakes.loopback import Reply, call
from tests.support.pictures import JPEG, Picture, PictureServer, png


@pytest.fixture(autouse=True)
def _loopback_only(loopback: None) -> None:
    """These reach the fake on 127.0.0.1 and nothing else (tests/conftest.py)."""


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


CHART = png(40, 30)


@pytest.fixture
def pictures() -> Iterator[PictureServer]:
    """Pictures on loopback for sendPhoto to fetch, and what is not one."""
    with PictureServer(
        {
            "/chart.png": Picture(CHART),
            "/photo.jpg": Picture(JPEG, "image/jpeg"),
            "/page.html": Picture(b"<html>sign in</html>", "text/html"),
            "/liar.png": Picture(b"<html>sign in</html>", "image/png"),
            "/untyped.png": Picture(CHART, "application/octet-stream"),
            "/broken.png": Picture(b"oops", "text/plain", 500),
            "/to-elsewhere.png": Picture(
                b"", "text/plain", 302, {"Location": "https://cdn.example.test/x.png"}
            ),
        }
    ) as server:
        yield server


def bot(
    fake: FakeTelegram, method: str, params: dict[str, Any] | None = None, token: str = DEFAULT_TOKEN
) -> Reply:
    return call("POST", f"{fake.url}/bot{token}/{method}", json_body=params or {})


def send(fake: FakeTelegram, text: str, chat_id: int | str = 42, **params: Any) -> Reply:
    return bot(fake, "sendMessage", {"chat_id": chat_id, "text": text, "parse_mode": "HTML", **params})


def refusal(reply: Reply) -> tuple[int, str]:
    assert reply.body["ok"] is False
    assert reply.body["error_code"] == reply.status
    return reply.status, reply.body["description"]


# ------------------------------------------------------------ methods, token, answers


def test_get_me_answers_the_bot_by_get_and_by_post(telegram: FakeTelegram) -> None:
    by_get = call("GET", f"{telegram.url}/bot{DEFAULT_TOKEN}/getMe")
    by_post = bot(telegram, "getMe")

    for reply in (by_get, by_post):
        assert (reply.status, reply.body["ok"]) == (200, True)
        assert reply.body["result"]["is_bot"] is True
        assert reply.body["result"]["id"] == 123456  # the number before the token's colon
        assert reply.body["result"]["username"]


def test_a_wrong_token_is_401_unauthorized_before_the_method_is_even_looked_at(
    telegram: FakeTelegram,
) -> None:
    # Given a request with another bot's token, to a method that exists and to one that does not
    known = bot(telegram, "sendMessage", {"chat_id": 42, "text": "hi"}, token="999:OTHER")
    unknown = bot(telegram, "sendTelepathy", token="999:OTHER")

    # Then both are refused as Telegram does, and nothing is sent
    assert refusal(known) == (401, "Unauthorized")
    assert refusal(unknown) == (401, "Unauthorized")
    assert telegram.messages == []


def test_an_unknown_method_or_path_is_404_not_found(telegram: FakeTelegram) -> None:
    assert refusal(bot(telegram, "sendTelepathy")) == (404, "Not Found")
    assert refusal(call("GET", f"{telegram.url}/sendMessage")) == (404, "Not Found")


def test_method_names_are_case_insensitive_as_telegrams_are(telegram: FakeTelegram) -> None:
    reply = bot(telegram, "SENDMESSAGE", {"chat_id": 42, "text": "hi"})

    assert reply.status == 200
    assert [message.method for message in telegram.messages] == ["sendMessage"]


def test_an_accepted_message_is_answered_and_recorded_with_what_was_sent(telegram: FakeTelegram) -> None:
    # Given a message with HTML, a button and link previews off
    markup = {"inline_keyboard": [[{"text": "Открыть", "url": "https://otklik.example/t/1"}]]}

    # When it is sent
    reply = send(
        telegram,
        "<b>Тикет</b>\nчайник &lt;1,7 л&gt;",
        reply_markup=markup,
        link_preview_options={"is_disabled": True},
    )

    # Then the answer is a Message with the text as shown, and the fake keeps the message as sent
    assert (reply.status, reply.body["ok"]) == (200, True)
    result = reply.body["result"]
    assert result["message_id"] == 1
    assert result["chat"]["id"] == 42
    assert result["text"] == "Тикет\nчайник <1,7 л>"
    assert isinstance(result["date"], int)
    assert result["reply_markup"] == markup
    (message,) = telegram.messages
    assert (message.method, message.chat_id, message.parse_mode) == ("sendMessage", "42", "HTML")
    assert message.text == "<b>Тикет</b>\nчайник &lt;1,7 л&gt;"
    assert message.shown == "Тикет\nчайник <1,7 л>"
    assert message.reply_markup == markup
    assert message.link_preview_options == {"is_disabled": True}
    assert (message.photo, message.caption) == (None, None)


def test_message_ids_count_per_chat_and_messages_to_finds_a_chat_by_number_or_string(
    telegram: FakeTelegram,
) -> None:
    ids = [send(telegram, "one", 42), send(telegram, "two", "42"), send(telegram, "other", -100777)]

    assert [reply.body["result"]["message_id"] for reply in ids] == [1, 2, 1]
    assert [message.text for message in telegram.messages_to(42)] == ["one", "two"]
    assert [message.text for message in telegram.messages_to("-100777")] == ["other"]
    assert ids[2].body["result"]["chat"]["type"] == "supergroup"


def test_a_message_by_get_with_a_query_string_is_taken_like_a_json_one(telegram: FakeTelegram) -> None:
    # Given the Bot API's other way of passing parameters: a query string, objects as JSON text
    markup = json.dumps({"inline_keyboard": [[{"text": "Go", "url": "https://example.test"}]]})
    query = urlencode({"chat_id": 42, "text": "hi", "reply_markup": markup})

    reply = call("GET", f"{telegram.url}/bot{DEFAULT_TOKEN}/sendMessage?{query}")

    assert reply.status == 200
    assert telegram.messages[0].reply_markup == {
        "inline_keyboard": [[{"text": "Go", "url": "https://example.test"}]]
    }


def test_every_request_is_recorded_with_its_method_parameters_and_answer(telegram: FakeTelegram) -> None:
    send(telegram, "hi")
    send(telegram, "<div>no</div>")

    first, second = telegram.requests
    assert (first.http_method, first.method, first.status, first.description) == (
        "POST",
        "sendMessage",
        200,
        None,
    )
    assert first.params["text"] == "hi"
    assert second.status == 400
    assert second.description is not None
    assert second.description.startswith("Bad Request: can't parse entities")


def test_a_photo_is_sent_by_url_with_its_caption(telegram: FakeTelegram, pictures: PictureServer) -> None:
    url = pictures.url("/chart.png")
    reply = bot(
        telegram,
        "sendPhoto",
        {"chat_id": 42, "photo": url, "caption": "<i>чайник</i>", "parse_mode": "HTML"},
    )

    assert reply.status == 200
    assert reply.body["result"]["caption"] == "чайник"
    assert reply.body["result"]["photo"]
    (message,) = telegram.messages
    assert (message.method, message.photo, message.caption, message.shown) == (
        "sendPhoto",
        url,
        "<i>чайник</i>",
        "чайник",
    )


def test_a_photo_is_fetched_from_its_url_and_kept_with_the_message(
    telegram: FakeTelegram, pictures: PictureServer
) -> None:
    # Given a chart served on loopback, as the local stack's S3 serves it
    url = pictures.url("/chart.png?X-Amz-Signature=abc")

    # When a photo of it is sent
    reply = bot(telegram, "sendPhoto", {"chat_id": 42, "photo": url})

    # Then the fake fetched it once, keeps its bytes and type, and answers its size as Telegram does
    assert reply.status == 200
    assert pictures.requested == ["/chart.png?X-Amz-Signature=abc"]
    (message,) = telegram.messages
    assert message.photo_bytes == CHART
    assert (message.photo_type, message.photo_size) == ("image/png", len(CHART))
    (size,) = reply.body["result"]["photo"]
    assert (size["width"], size["height"], size["file_size"]) == (40, 30, len(CHART))


def test_a_jpeg_photo_is_taken_too(telegram: FakeTelegram, pictures: PictureServer) -> None:
    reply = bot(telegram, "sendPhoto", {"chat_id": 42, "photo": pictures.url("/photo.jpg")})

    assert reply.status == 200
    (message,) = telegram.messages
    assert (message.photo_type, message.photo_bytes) == ("image/jpeg", JPEG)


@pytest.mark.parametrize(
    ("path", "description"),
    [
        ("/gone.png", "Bad Request: failed to get HTTP URL content"),
        ("/broken.png", "Bad Request: failed to get HTTP URL content"),
        ("/to-elsewhere.png", "Bad Request: failed to get HTTP URL content"),
        ("/page.html", "Bad Request: wrong type of the web page content"),
        ("/liar.png", "Bad Request: wrong type of the web page content"),
        ("/untyped.png", "Bad Request: wrong type of the web page content"),
    ],
)
def test_a_photo_that_is_not_there_or_no_picture_is_refused_in_telegrams_words(
    telegram: FakeTelegram, pictures: PictureServer, path: str, description: str
) -> None:
    reply = bot(telegram, "sendPhoto", {"chat_id": 42, "photo": pictures.url(path)})

    assert refusal(reply) == (400, description)
    assert pictures.requested == [path]
    assert telegram.messages == []


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.example.test/p.jpg",
        "http://0.0.0.0:{port}/chart.png",
        "http://127.0.0.1.example.test:{port}/chart.png",
        "http://[::1:{port}/chart.png",
    ],
)
def test_a_photo_off_loopback_is_refused_without_being_fetched(
    telegram: FakeTelegram, pictures: PictureServer, url: str
) -> None:
    reply = bot(telegram, "sendPhoto", {"chat_id": 42, "photo": url.format(port=pictures.port)})

    assert refusal(reply) == (400, "Bad Request: failed to get HTTP URL content")
    assert pictures.requested == []


def test_a_photo_over_the_size_limit_is_refused(
    telegram: FakeTelegram, pictures: PictureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fake_telegram, "MAX_PHOTO_BYTES", len(CHART) - 1)

    reply = bot(telegram, "sendPhoto", {"chat_id": 42, "photo": pictures.url("/chart.png")})

    assert refusal(reply) == (400, "Bad Request: failed to get HTTP URL content")


def test_fail_photo_fetch_refuses_the_next_photos_and_leaves_messages_alone(
    telegram: FakeTelegram, pictures: PictureServer
) -> None:
    # Given the next two photos cannot be fetched
    telegram.fail_photo_fetch(times=2)

    def photo() -> Reply:
        return bot(telegram, "sendPhoto", {"chat_id": 42, "photo": pictures.url("/chart.png")})

    # Then a message in between is taken, two photos are refused, and the third one is taken
    assert send(telegram, "text").status == 200
    assert refusal(photo()) == (400, "Bad Request: failed to get HTTP URL content")
    assert refusal(photo()) == (400, "Bad Request: failed to get HTTP URL content")
    assert photo().status == 200
    assert [message.method for message in telegram.messages] == ["sendMessage", "sendPhoto"]


def test_fail_photo_fetch_says_what_telegram_says(telegram: FakeTelegram, pictures: PictureServer) -> None:
    telegram.fail_photo_fetch(description="Bad Request: wrong type of the web page content")

    reply = bot(telegram, "sendPhoto", {"chat_id": 42, "photo": pictures.url("/chart.png")})

    assert refusal(reply) == (400, "Bad Request: wrong type of the web page content")
    with pytest.raises(ValueError):
        telegram.fail_photo_fetch(times=0)


def test_a_slow_photo_holds_up_no_other_request(telegram: FakeTelegram, pictures: PictureServer) -> None:
    # Given a picture that takes a second to come
    pictures.pictures["/slow.png"] = Picture(CHART, delay=1.0)

    # When a photo of it is sent, and a message while it is being fetched
    with ThreadPoolExecutor(max_workers=1) as pool:
        slow = pool.submit(bot, telegram, "sendPhoto", {"chat_id": 42, "photo": pictures.url("/slow.png")})
        while not pictures.requested:
            time.sleep(0.01)
        quick = send(telegram, "meanwhile")
        done_first = not slow.done()

    # Then the message was answered while the photo was still coming, and both were taken
    assert quick.status == 200 and slow.result().status == 200
    assert done_first
    assert [message.method for message in telegram.messages] == ["sendMessage", "sendPhoto"]


@pytest.mark.parametrize(
    ("photo", "description"),
    [
        (None, "Bad Request: there is no photo in the request"),
        ("AgACAgIAAx-not-a-file-we-know", "Bad Request: wrong file identifier/HTTP URL specified"),
    ],
)
def test_a_photo_must_be_an_http_url(telegram: FakeTelegram, photo: str | None, description: str) -> None:
    reply = bot(telegram, "sendPhoto", {"chat_id": 42, "photo": photo})

    assert refusal(reply) == (400, description)


# ------------------------------------------------------------ HTML


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("<b>b</b><strong>s</strong><i>i</i><em>e</em>", "bsie"),
        ("<u>u</u><ins>i</ins><s>s</s><strike>k</strike><del>d</del>", "uiskd"),
        ('<a href="https://example.test/?a=1&amp;b=2">link</a>', "link"),
        ('<span class="tg-spoiler">hidden</span><tg-spoiler>too</tg-spoiler>', "hiddentoo"),
        ('<code>x = 1</code><pre><code class="language-python">y</code></pre>', "x = 1y"),
        ("<blockquote>quoted</blockquote><blockquote expandable>long</blockquote>", "quotedlong"),
        ("<B>upper</B> <b><i>nested</i></b>", "upper nested"),
        ("&lt;tag&gt; &amp; &quot;q&quot; &#33; &#x1F600;", '<tag> & "q" ! 😀'),
    ],
)
def test_telegrams_supported_html_is_accepted_and_shown_without_its_markup(
    telegram: FakeTelegram, source: str, shown: str
) -> None:
    reply = send(telegram, source)

    assert reply.status == 200
    assert reply.body["result"]["text"] == shown


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("<div>block</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("line<br>break", 'Unsupported start tag "br" at byte offset 4'),
        ("цена < 100", 'Unsupported start tag "" at byte offset 9'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("AT&T", "Can't find end of the entity starting at byte offset 2"),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;" at byte offset 0'),
        ("&#0;", 'Invalid character reference "&#0;" at byte offset 0'),
    ],
)
def test_html_telegram_cannot_parse_is_refused_and_nothing_is_sent(
    telegram: FakeTelegram, source: str, problem: str
) -> None:
    reply = send(telegram, source)

    assert refusal(reply) == (400, f"Bad Request: can't parse entities: {problem}")
    assert telegram.messages == []


def test_without_parse_mode_the_text_is_taken_as_it_is() -> None:
    with FakeTelegram() as telegram:
        reply = bot(telegram, "sendMessage", {"chat_id": 42, "text": "a < b & <div>"})

    assert reply.status == 200
    assert telegram.messages[0].shown == "a < b & <div>"


def test_parse_html_counts_byte_offsets_in_utf_8_as_telegram_does() -> None:
    # "я" is two bytes in UTF-8: the stray tag starts at byte 4, character 2
    with pytest.raises(ValueError, match="byte offset 4"):
        parse_html("яя<p>")


# ------------------------------------------------------------ limits


def test_a_text_of_4096_characters_after_parsing_is_taken_and_one_more_is_too_long(
    telegram: FakeTelegram,
) -> None:
    # Given texts measured after entity parsing: markup and entities do not count, what they show does
    fits = "<b>" + "я" * 4090 + "</b>&amp;&lt;" + "!" * 4
    too_long = "я" * 4097

    assert send(telegram, fits).status == 200
    assert refusal(send(telegram, too_long)) == (400, "Bad Request: message is too long")
    assert len(telegram.messages[0].shown) == 4096


@pytest.mark.parametrize("text", ["", "   \n ", "<b></b>"])
def test_a_text_that_shows_nothing_is_refused_as_empty(telegram: FakeTelegram, text: str) -> None:
    assert refusal(send(telegram, text)) == (400, "Bad Request: message text is empty")


def test_a_message_without_chat_id_is_refused(telegram: FakeTelegram) -> None:
    reply = bot(telegram, "sendMessage", {"text": "hi"})

    assert refusal(reply) == (400, "Bad Request: chat_id is empty")


def test_a_caption_of_1024_characters_is_taken_and_one_more_is_too_long(
    telegram: FakeTelegram, pictures: PictureServer
) -> None:
    def photo(caption: str) -> Reply:
        params = {
            "chat_id": 42,
            "photo": pictures.url("/chart.png"),
            "caption": caption,
            "parse_mode": "HTML",
        }
        return bot(telegram, "sendPhoto", params)

    assert photo("<b>" + "я" * 1024 + "</b>").status == 200
    assert refusal(photo("я" * 1025)) == (400, "Bad Request: message caption is too long")


# ------------------------------------------------------------ buttons


@pytest.mark.parametrize(
    ("button", "description"),
    [
        (
            {"url": "https://example.test"},
            "Bad Request: can't parse inline keyboard button: Text must be non-empty",
        ),
        (
            {"text": " ", "url": "https://example.test"},
            "Bad Request: can't parse inline keyboard button: Text must be non-empty",
        ),
        (
            {"text": "Open"},
            "Bad Request: can't parse inline keyboard button: "
            "Text buttons are unallowed in the inline keyboard",
        ),
        (
            {"text": "Open", "url": "ftp://example.test/file"},
            "Bad Request: inline keyboard button URL 'ftp://example.test/file' is invalid: Wrong HTTP URL",
        ),
    ],
)
def test_an_inline_button_needs_text_and_an_http_url(
    telegram: FakeTelegram, button: dict[str, str], description: str
) -> None:
    reply = send(telegram, "hi", reply_markup={"inline_keyboard": [[button]]})

    assert refusal(reply) == (400, description)
    assert telegram.messages == []


def test_an_inline_keyboard_must_be_rows_of_buttons(telegram: FakeTelegram) -> None:
    reply = send(
        telegram, "hi", reply_markup={"inline_keyboard": [{"text": "Open", "url": "https://example.test"}]}
    )

    assert refusal(reply)[0] == 400
    assert "Array of Arrays" in refusal(reply)[1]


# ------------------------------------------------------------ knobs


def test_fail_next_queues_up_and_then_the_fake_recovers(telegram: FakeTelegram) -> None:
    # Given two scripted failures, queued
    telegram.fail_next(502)
    telegram.fail_next(500, times=2, description="Internal Server Error: restart")

    # When four messages are sent
    replies = [send(telegram, f"try {number}") for number in range(4)]

    # Then the first is 502 in Telegram's words, the next two 500 as told, the last is sent
    assert [reply.status for reply in replies] == [502, 500, 500, 200]
    assert refusal(replies[0]) == (502, "Bad Gateway")
    assert refusal(replies[1]) == (500, "Internal Server Error: restart")
    assert [message.text for message in telegram.messages] == ["try 3"]


def test_fail_next_with_retry_after_carries_it_in_parameters_and_the_header(telegram: FakeTelegram) -> None:
    telegram.fail_next(420, retry_after=9, description="Flood control exceeded")

    reply = send(telegram, "hi")

    assert refusal(reply) == (420, "Flood control exceeded")
    assert reply.body["parameters"] == {"retry_after": 9}
    assert reply.header("Retry-After") == "9"


def test_fail_next_refuses_times_below_one(telegram: FakeTelegram) -> None:
    with pytest.raises(ValueError, match="times"):
        telegram.fail_next(500, times=0)


def test_rate_limit_next_is_429_with_retry_after_for_as_many_requests_as_told(telegram: FakeTelegram) -> None:
    telegram.rate_limit_next(7, times=2)

    replies = [send(telegram, "hi") for _ in range(3)]

    assert [reply.status for reply in replies] == [429, 429, 200]
    assert refusal(replies[0]) == (429, "Too Many Requests: retry after 7")
    assert replies[0].body["parameters"] == {"retry_after": 7}
    assert replies[0].header("Retry-After") == "7"


def test_a_blocked_chat_is_403_and_other_chats_still_get_messages(telegram: FakeTelegram) -> None:
    telegram.block("42")

    blocked = send(telegram, "hi", chat_id=42)
    other = send(telegram, "hi", chat_id=43)

    assert refusal(blocked) == (403, "Forbidden: bot was blocked by the user")
    assert other.status == 200
    assert telegram.messages_to(42) == []


def test_a_forgotten_chat_is_400_chat_not_found(telegram: FakeTelegram) -> None:
    telegram.forget_chat(42)

    assert refusal(send(telegram, "hi", chat_id="42")) == (400, "Bad Request: chat not found")
    assert refusal(send(telegram, "hi", chat_id="not a chat")) == (400, "Bad Request: chat not found")


def test_a_migrated_group_names_its_new_chat_id(telegram: FakeTelegram) -> None:
    telegram.migrate_chat(-4242, -1004242)

    reply = send(telegram, "hi", chat_id=-4242)

    assert refusal(reply) == (400, "Bad Request: group chat was upgraded to a supergroup chat")
    assert reply.body["parameters"] == {"migrate_to_chat_id": -1004242}
    assert send(telegram, "hi", chat_id=-1004242).status == 200


def test_clear_forgets_messages_requests_faults_and_chat_states(telegram: FakeTelegram) -> None:
    # Given a fake with a message, a blocked chat and a fault still queued
    send(telegram, "before")
    telegram.block(42)
    telegram.fail_next(500)
    telegram.fail_photo_fetch()
    telegram.hang_next(30)

    # When it is cleared
    telegram.clear()

    # Then it is as new: the chat takes messages again, no fault or hang is left, the record is empty
    assert (telegram.messages, telegram.requests) == ([], [])
    reply = send(telegram, "after")
    assert reply.status == 200
    assert reply.body["result"]["message_id"] == 1
    assert [message.text for message in telegram.messages] == ["after"]
    with PictureServer({"/chart.png": Picture(CHART)}) as pictures:
        photo = bot(telegram, "sendPhoto", {"chat_id": 7, "photo": pictures.url("/chart.png")})
    assert photo.status == 200


def test_parallel_messages_each_get_their_own_id(telegram: FakeTelegram) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(lambda number: send(telegram, f"m{number}"), range(24)))

    assert all(reply.status == 200 for reply in replies)
    assert sorted(reply.body["result"]["message_id"] for reply in replies) == list(range(1, 25))
    assert len(telegram.messages) == 24
