"""The Telegram channel against the fake Bot API: what a person sees, and what comes of a refusal."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from typing import Any

import pytest

from infra.fakes import FakeTelegram
from otklik.adapters.http import HttpClient
from otklik.adapters.telegram import TelegramChannel
from otklik.domain.models import ChannelResult, Delivery
from otklik.ports import ChannelUnavailable
from tests.support.pictures import Picture, PictureServer, png
from tests.support.scripted_http import Answer, refusal, serve

TOKEN = "123456:SECRET-TOKEN-abc"
CHAT = "4242"
DELIVERY = Delivery(
    id="dl_1",
    notification_id="nt_1",
    event="ticket_opened",
    channel="telegram",
    recipient="anna",
    address=CHAT,
    title="[high] Новый тикет tk_1",
    text="команда: support · приоритет: high\n«Порвалось, пишите [email]»",
    link="https://otklik.example/tickets/tk_1",
    link_label="Открыть тикет",
)


@pytest.fixture(autouse=True)
def _loopback_only(loopback: None) -> None:
    """These reach the fake on 127.0.0.1 and nothing else (tests/conftest.py)."""


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram(token=TOKEN) as fake:
        yield fake


@pytest.fixture
def sleeps() -> list[float]:
    return []


CHART = png(12, 8)


@pytest.fixture
def pictures() -> Iterator[PictureServer]:
    """A report's charts on loopback, as S3 serves them: one PNG, a sign-in page, and 404 for the rest."""
    with PictureServer(
        {"/volume.png": Picture(CHART), "/login.png": Picture(b"<html>sign in</html>", "text/html")}
    ) as server:
        yield server


def channel(
    fake: FakeTelegram, sleeps: list[float], token: str = TOKEN, timeout_seconds: float = 5.0
) -> TelegramChannel:
    # attempts=1, as the channel owns its retries; the HTTP client's own sleep would show in `sleeps`.
    http = HttpClient(timeout_seconds=timeout_seconds, attempts=1, sleep=sleeps.append)
    return TelegramChannel(http, fake.url, token, sleep=sleeps.append)


def deliver(fake: FakeTelegram, sleeps: list[float], **changes: Any) -> ChannelResult:
    return channel(fake, sleeps).deliver(DELIVERY.model_copy(update=changes))


def assert_no_secret(*texts: object) -> None:
    for text in texts:
        assert TOKEN not in str(text)
        assert "SECRET-TOKEN" not in str(text)


# ------------------------------------------------------------ what is sent


def test_a_delivery_is_sent_as_one_message_to_the_recipients_chat(
    telegram: FakeTelegram, sleeps: list[float]
) -> None:
    result = deliver(telegram, sleeps)

    # Then Telegram took one message, to the chat in the delivery's address, and the result names it
    (message,) = telegram.messages
    assert (result.channel, result.status, result.error) == ("telegram", "sent", None)
    assert result.detail == f"message {message.message_id}"
    assert (message.method, message.chat_id, message.parse_mode) == ("sendMessage", CHAT, "HTML")
    assert sleeps == []


def test_the_title_is_bold_above_the_text_and_link_previews_are_off(
    telegram: FakeTelegram, sleeps: list[float]
) -> None:
    deliver(telegram, sleeps)

    (message,) = telegram.messages
    assert message.text == f"<b>{DELIVERY.title}</b>\n{DELIVERY.text}"
    assert message.shown == f"{DELIVERY.title}\n{DELIVERY.text}"
    assert message.link_preview_options == {"is_disabled": True}


def test_html_characters_in_title_and_text_are_escaped_and_shown_as_written(
    telegram: FakeTelegram, sleeps: list[float]
) -> None:
    # Given a title and a text full of what Telegram's HTML would read as markup
    title = "Цена <100 ₽ & скидка"
    text = 'Пишет: <b>не жирный</b> "кавычки" & 1 < 2 > 0 &amp; &lt;'

    # When it is delivered (the fake refuses any unescaped <, & or unknown tag)
    result = deliver(telegram, sleeps, title=title, text=text)

    # Then Telegram took it and shows exactly the plain text that was meant
    assert result.status == "sent"
    (message,) = telegram.messages
    assert message.shown == f"{title}\n{text}"
    assert '"кавычки"' in (message.text or "")  # quotes stay as they are: Telegram wants no &quot; in text


def test_a_link_becomes_one_button_with_its_label(telegram: FakeTelegram, sleeps: list[float]) -> None:
    deliver(telegram, sleeps)

    (message,) = telegram.messages
    assert message.reply_markup == {
        "inline_keyboard": [[{"text": "Открыть тикет", "url": "https://otklik.example/tickets/tk_1"}]]
    }


def test_without_a_link_there_is_no_button(telegram: FakeTelegram, sleeps: list[float]) -> None:
    deliver(telegram, sleeps, link=None)

    (message,) = telegram.messages
    assert message.reply_markup is None


def test_a_text_too_long_for_telegram_is_cut_to_4096_characters_without_breaking_an_entity(
    telegram: FakeTelegram, sleeps: list[float]
) -> None:
    # Given a text far over Telegram's limit, with an escaped character at every other position
    text = "&x" * 5000

    # When it is delivered
    result = deliver(telegram, sleeps, text=text)

    # Then Telegram took it (an entity cut in half would be refused), showing 4096 characters ending in "…"
    assert result.status == "sent"
    (message,) = telegram.messages
    assert len(message.shown) == 4096
    assert message.shown.startswith(f"{DELIVERY.title}\n&x&x")
    assert message.shown.endswith("…")


def test_a_text_that_fits_is_not_cut(telegram: FakeTelegram, sleeps: list[float]) -> None:
    text = "я" * (4096 - len(DELIVERY.title) - 1)

    deliver(telegram, sleeps, text=text)

    assert telegram.messages[0].shown == f"{DELIVERY.title}\n{text}"


def test_a_delivery_with_a_photo_is_sent_as_the_photo_with_the_message_as_its_caption(
    telegram: FakeTelegram, sleeps: list[float], pictures: PictureServer
) -> None:
    # Given a delivery with a photo and a text over a caption's 1024 characters
    url = pictures.url("/volume.png?X-Amz-Signature=1")
    result = deliver(telegram, sleeps, photo_url=url, text="<о> " * 400)

    # Then it goes as one photo: the URL for Telegram to fetch, the caption cut to fit, the button kept
    assert (result.status, result.detail) == ("sent", "message 1")
    (message,) = telegram.messages
    assert (message.method, message.photo, message.text) == ("sendPhoto", url, None)
    assert message.photo_bytes == CHART
    assert message.parse_mode == "HTML"
    assert len(message.shown) == 1024
    assert message.shown.startswith(f"{DELIVERY.title}\n<о> ")
    assert message.reply_markup == {
        "inline_keyboard": [[{"text": "Открыть тикет", "url": "https://otklik.example/tickets/tk_1"}]]
    }


def test_a_numeric_address_is_sent_as_a_number_and_a_channel_name_as_it_is(
    telegram: FakeTelegram, sleeps: list[float]
) -> None:
    deliver(telegram, sleeps, address="-1001234")
    deliver(telegram, sleeps, address="@otklik_alerts")

    assert [request.params["chat_id"] for request in telegram.requests] == [-1001234, "@otklik_alerts"]


def test_a_recipient_without_a_chat_id_fails_without_asking_telegram(
    telegram: FakeTelegram, sleeps: list[float]
) -> None:
    result = deliver(telegram, sleeps, address=None)

    assert (result.status, result.error) == ("failed", "no chat id")
    assert telegram.requests == []


# ------------------------------------------------------------ a photo Telegram cannot take


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ("/expired.png", "Bad Request: failed to get HTTP URL content"),
        ("/login.png", "Bad Request: wrong type of the web page content"),
    ],
)
def test_a_photo_telegram_cannot_fetch_gives_way_to_the_text_with_its_button(
    telegram: FakeTelegram, sleeps: list[float], pictures: PictureServer, path: str, refused: str
) -> None:
    # Given a report whose chart Telegram cannot take (its link expired, or it is a sign-in page)
    photo = pictures.url(path)

    # When it is delivered
    result = deliver(telegram, sleeps, photo_url=photo)

    # Then Telegram refused the photo, and the same text went once as a message, with its button
    assert [(request.method, request.status) for request in telegram.requests] == [
        ("sendPhoto", 400),
        ("sendMessage", 200),
    ]
    assert pictures.requested == [path]
    (message,) = telegram.messages
    assert (message.method, message.photo) == ("sendMessage", None)
    assert message.shown == f"{DELIVERY.title}\n{DELIVERY.text}"
    assert message.reply_markup == {
        "inline_keyboard": [[{"text": "Открыть тикет", "url": "https://otklik.example/tickets/tk_1"}]]
    }
    assert message.link_preview_options == {"is_disabled": True}
    # And the result says it went, without the photo, and why
    assert (result.status, result.error) == ("sent", None)
    assert result.detail == f"message 1, without the photo ({refused})"


@pytest.mark.parametrize(
    "description",
    [
        "Bad Request: wrong file identifier/HTTP URL specified",
        "Bad Request: failed to get HTTP URL content",
        "Bad Request: WRONG TYPE OF THE WEB PAGE CONTENT",
        "Bad Request: IMAGE_PROCESS_FAILED",
    ],
)
def test_every_refusal_of_the_photo_itself_gives_way_to_the_text(
    telegram: FakeTelegram, sleeps: list[float], pictures: PictureServer, description: str
) -> None:
    telegram.fail_next(400, description=description)

    result = deliver(telegram, sleeps, photo_url=pictures.url("/volume.png"))

    assert result.status == "sent"
    assert result.detail.endswith(f", without the photo ({description})")
    assert [message.method for message in telegram.messages] == ["sendMessage"]


def test_a_photo_refused_by_the_fakes_knob_gives_way_to_the_text(
    telegram: FakeTelegram, sleeps: list[float], pictures: PictureServer
) -> None:
    telegram.fail_photo_fetch()

    result = deliver(telegram, sleeps, photo_url=pictures.url("/volume.png"))

    assert result.detail == "message 1, without the photo (Bad Request: failed to get HTTP URL content)"
    assert [message.method for message in telegram.messages] == ["sendMessage"]


@pytest.mark.parametrize(
    "description",
    ["Bad Request: chat not found", "Bad Request: message caption is too long", "Bad Request: wrong chat"],
)
def test_another_refusal_of_a_photo_is_failed_without_a_second_try(
    telegram: FakeTelegram, sleeps: list[float], pictures: PictureServer, description: str
) -> None:
    telegram.fail_next(400, description=description)

    result = deliver(telegram, sleeps, photo_url=pictures.url("/volume.png"))

    assert (result.status, result.error, result.detail) == ("failed", "HTTP 400", description)
    assert [request.method for request in telegram.requests] == ["sendPhoto"]
    assert telegram.messages == []


def test_a_message_refused_in_a_photos_words_is_not_sent_again(
    telegram: FakeTelegram, sleeps: list[float]
) -> None:
    # Given a delivery with no photo, refused in words that would be the photo's
    telegram.fail_next(400, description="Bad Request: failed to get HTTP URL content")

    result = deliver(telegram, sleeps)

    assert (result.status, result.error) == ("failed", "HTTP 400")
    assert len(telegram.requests) == 1


def test_a_blocked_chat_refuses_a_photo_for_good_with_no_second_try(
    telegram: FakeTelegram, sleeps: list[float], pictures: PictureServer
) -> None:
    telegram.block(CHAT)

    result = deliver(telegram, sleeps, photo_url=pictures.url("/expired.png"))

    assert (result.status, result.error) == ("failed", "HTTP 403")
    assert len(telegram.requests) == 1


def test_an_outage_on_the_text_after_a_refused_photo_is_left_to_the_outbox(
    telegram: FakeTelegram, sleeps: list[float], pictures: PictureServer
) -> None:
    # Given the photo is refused, and Telegram then fails the text that takes its place
    telegram.fail_next(400, description="Bad Request: failed to get HTTP URL content")
    telegram.fail_next(502)

    # When it is delivered
    with pytest.raises(ChannelUnavailable) as caught:
        deliver(telegram, sleeps, photo_url=pictures.url("/volume.png"))

    # Then the next try is the outbox's, as for any outage
    assert caught.value.cause == "HTTP 502"
    assert [request.method for request in telegram.requests] == ["sendPhoto", "sendMessage"]


# ------------------------------------------------------------ rate limits and outages


def test_a_short_rate_limit_is_waited_out_and_the_message_sent_once(
    telegram: FakeTelegram, sleeps: list[float]
) -> None:
    # Given Telegram asking to wait 3 seconds, within the channel's 5
    telegram.rate_limit_next(3)

    # When the delivery is made
    result = deliver(telegram, sleeps)

    # Then the channel waited the 3 seconds it was told, and the message was sent once
    assert result.status == "sent"
    assert sleeps == [3.0]
    assert [request.status for request in telegram.requests] == [429, 200]
    assert len(telegram.messages) == 1


def test_a_rate_limit_is_waited_out_at_most_twice_then_left_to_the_outbox(
    telegram: FakeTelegram, sleeps: list[float]
) -> None:
    telegram.rate_limit_next(1, times=3)

    with pytest.raises(ChannelUnavailable) as caught:
        deliver(telegram, sleeps)

    assert sleeps == [1.0, 1.0]
    assert len(telegram.requests) == 3
    assert (caught.value.cause, caught.value.retry_after) == ("HTTP 429", 1.0)
    assert telegram.messages == []


def test_a_long_rate_limit_is_not_waited_for_but_raised_with_its_retry_after(
    telegram: FakeTelegram, sleeps: list[float]
) -> None:
    # Given Telegram asking to wait 30 seconds, more than the channel may wait
    telegram.rate_limit_next(30)

    # When the delivery is made
    with pytest.raises(ChannelUnavailable) as caught:
        deliver(telegram, sleeps)

    # Then nothing waited here: the outbox is told to come back in 30 seconds
    assert sleeps == []
    assert len(telegram.requests) == 1
    assert (caught.value.cause, caught.value.retry_after) == ("HTTP 429", 30.0)
    assert str(caught.value) == "Too Many Requests: retry after 30"


@pytest.mark.parametrize("status", [500, 502, 503, 504, 420])
def test_an_outage_raises_channel_unavailable_so_the_outbox_tries_again(
    telegram: FakeTelegram, sleeps: list[float], status: int
) -> None:
    telegram.fail_next(status)

    with pytest.raises(ChannelUnavailable) as caught:
        deliver(telegram, sleeps)

    assert caught.value.cause == f"HTTP {status}"
    assert len(telegram.requests) == 1
    assert sleeps == []


def test_a_flood_wait_carries_its_retry_after_to_the_outbox(
    telegram: FakeTelegram, sleeps: list[float]
) -> None:
    telegram.fail_next(420, retry_after=12, description="Flood control exceeded")

    with pytest.raises(ChannelUnavailable) as caught:
        deliver(telegram, sleeps)

    assert (str(caught.value), caught.value.retry_after) == ("Flood control exceeded", 12.0)


def test_a_bot_api_that_does_not_listen_is_unavailable_and_its_error_names_no_url_or_token(
    sleeps: list[float],
) -> None:
    # Given a Bot API root where nothing listens any more
    with FakeTelegram(token=TOKEN) as gone:
        unreachable = channel(gone, sleeps)

    # When a delivery is tried
    with pytest.raises(ChannelUnavailable) as caught:
        unreachable.deliver(DELIVERY)

    # Then it may heal, and neither the error nor its logged traceback names the token
    assert caught.value.cause == "ConnectionRefusedError"
    assert str(caught.value) == "not sent (ConnectionRefusedError)"
    assert_no_secret(caught.value, "".join(traceback.format_exception(caught.value)))


@pytest.mark.parametrize(
    "body",
    [b"<html>slow down</html>", b'{"ok": false, "error_code": 429, "description": "Too Many Requests"}'],
)
def test_a_rate_limit_without_retry_after_in_the_body_is_waited_by_its_header(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float], body: bytes
) -> None:
    # Given a 429 that says how long to wait only in Retry-After (a proxy's page, or no parameters)
    api = "https://api.telegram.test"
    busy = refusal(api, 429, body, Retry_After="2")
    server = serve(monkeypatch, busy, Answer(200, b'{"ok": true, "result": {"message_id": 7}}'))
    http = HttpClient(attempts=1, sleep=sleeps.append)

    # When the delivery is made
    result = TelegramChannel(http, api, TOKEN, sleep=sleeps.append).deliver(DELIVERY)

    # Then the header's 2 seconds were waited, and the second try was sent
    assert (result.status, result.detail) == ("sent", "message 7")
    assert sleeps == [2.0]
    assert len(server.requests) == 2


def test_an_outage_page_that_is_not_the_bot_apis_json_is_unavailable_in_its_own_words(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    api = "https://api.telegram.test"
    serve(monkeypatch, refusal(api, 502, b"<html>502 Bad Gateway</html>"))
    http = HttpClient(attempts=1, sleep=sleeps.append)

    with pytest.raises(ChannelUnavailable) as caught:
        TelegramChannel(http, api, TOKEN, sleep=sleeps.append).deliver(DELIVERY)

    assert (str(caught.value), caught.value.cause) == ("HTTP 502: <html>502 Bad Gateway</html>", "HTTP 502")
    assert caught.value.retry_after is None


# ------------------------------------------------------------ refusals for good


def test_a_user_who_blocked_the_bot_is_failed_not_retried(
    telegram: FakeTelegram, sleeps: list[float]
) -> None:
    telegram.block(CHAT)

    result = deliver(telegram, sleeps)

    assert (result.status, result.error) == ("failed", "HTTP 403")
    assert result.detail == "Forbidden: bot was blocked by the user"
    assert len(telegram.requests) == 1


def test_a_chat_telegram_does_not_know_is_failed(telegram: FakeTelegram, sleeps: list[float]) -> None:
    telegram.forget_chat(CHAT)

    result = deliver(telegram, sleeps)

    assert (result.status, result.error, result.detail) == (
        "failed",
        "HTTP 400",
        "Bad Request: chat not found",
    )


def test_a_group_upgraded_to_a_supergroup_fails_naming_the_new_chat_id(
    telegram: FakeTelegram, sleeps: list[float]
) -> None:
    # Given the recipient's group became a supergroup with a new id
    telegram.migrate_chat(-4242, -1004242)

    # When a delivery goes to the old id
    result = deliver(telegram, sleeps, address="-4242")

    # Then it fails for good (the message must not go elsewhere unasked), and says where the chat went
    assert (result.status, result.error) == ("failed", "HTTP 400")
    assert "-1004242" in result.detail
    assert "update the recipient" in result.detail
    assert telegram.messages == []


def test_a_wrong_token_fails_and_the_result_never_names_the_token(
    telegram: FakeTelegram, sleeps: list[float]
) -> None:
    wrong = "654321:SECRET-TOKEN-wrong"

    result = channel(telegram, sleeps, token=wrong).deliver(DELIVERY)

    assert (result.status, result.error, result.detail) == ("failed", "HTTP 401", "Unauthorized")
    assert wrong not in result.model_dump_json()
    assert_no_secret(result.model_dump_json())


def test_a_refusal_that_echoes_the_url_has_the_token_blanked_out(
    telegram: FakeTelegram, sleeps: list[float]
) -> None:
    # Given a refusal whose words quote the request's path (as a proxy's error page might)
    telegram.fail_next(404, description=f"Not Found: /bot{TOKEN}/sendMessage")

    result = deliver(telegram, sleeps)

    assert result.status == "failed"
    assert result.detail == "Not Found: /bot<token>/sendMessage"
    assert_no_secret(result.model_dump_json())


def test_an_outage_that_echoes_the_token_has_it_blanked_out(
    telegram: FakeTelegram, sleeps: list[float]
) -> None:
    telegram.fail_next(502, description="Bad Gateway for SECRET-TOKEN-abc")

    with pytest.raises(ChannelUnavailable) as caught:
        deliver(telegram, sleeps)

    assert str(caught.value) == "Bad Gateway for <token>"
    assert_no_secret(caught.value, "".join(traceback.format_exception(caught.value)))


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_every_permanent_refusal_is_failed_with_telegrams_words(
    telegram: FakeTelegram, sleeps: list[float], status: int
) -> None:
    telegram.fail_next(status, description=f"scripted refusal {status}")

    result = deliver(telegram, sleeps)

    assert (result.status, result.error, result.detail) == (
        "failed",
        f"HTTP {status}",
        f"scripted refusal {status}",
    )
    assert sleeps == []


# ------------------------------------------------------------ no answer


def test_a_message_taken_without_an_answer_is_unconfirmed_and_not_sent_again(
    telegram: FakeTelegram, sleeps: list[float]
) -> None:
    # Given Telegram that takes the message and answers only after the client stopped waiting
    telegram.hang_next(30)

    # When the delivery is made
    result = channel(telegram, sleeps, timeout_seconds=0.2).deliver(DELIVERY)

    # Then it is unconfirmed (it may have arrived), and Telegram got it exactly once
    assert (result.status, result.error) == ("unconfirmed", "TimeoutError")
    assert result.detail == "no answer after sending (TimeoutError)"
    assert len(telegram.messages) == 1
    assert len(telegram.requests) == 1
    assert_no_secret(result.model_dump_json())
