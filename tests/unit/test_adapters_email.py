"""The e-mail channel on SES (moto, and botocore's Stubber for the refusals moto cannot make): what a
recipient gets in each part, a report's charts inline in a MIME message, and which answers are sent,
failed for good, unconfirmed or tried again."""

from __future__ import annotations

import copy
import email
import email.policy
import re
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any, cast

import boto3
import pytest
from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.stub import ANY, Stubber
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from otklik.adapters.email import (
    IMAGES_BUDGET_SECONDS,
    MAX_SUBJECT_CHARS,
    EmailChannel,
    HttpImageFetcher,
    ImageUnavailable,
    InlineImage,
    mime_message,
)
from otklik.adapters.http import HttpClient
from otklik.domain.models import Delivery, DeliveryImage
from otklik.ports import ChannelUnavailable
from tests.support.pictures import JPEG, Picture, PictureServer, png

REGION = "eu-central-1"
SENDER = "otklik@shop.example.com"
ADDRESS = "anna.manager@shop.example.com"
LINK = "https://ops.example.test/tickets/tk_1"
DELIVERY = Delivery(
    id="dl_1",
    notification_id="nt_1",
    event="ticket_opened",
    channel="email",
    recipient="anna",
    address=ADDRESS,
    language="ru",
    title="[high] Новый тикет tk_1",
    text="команда: support · приоритет: high\n«Порвалось, пишите [email]»\n\nОтветить до 12:00",
    link=LINK,
    link_label="Открыть тикет",
)


class SentEmails:
    """The sesv2 client on moto, and each SendEmail request it was given (moto keeps one body part)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.requests: list[dict[str, Any]] = []
        client.meta.events.register("provide-client-params.sesv2.SendEmail", self._record)

    def _record(self, params: dict[str, Any], **_: Any) -> None:
        self.requests.append(copy.deepcopy(params))

    @property
    def stored(self) -> list[Any]:
        """What SES (moto) took: each message's source, destinations, subject and body."""
        return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)

    def simple(self) -> dict[str, Any]:
        (request,) = self.requests
        content: dict[str, Any] = request["Content"]["Simple"]
        return content


@pytest.fixture
def ses(monkeypatch: pytest.MonkeyPatch) -> Iterator[SentEmails]:
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    with mock_aws():
        boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=SENDER)
        yield SentEmails(boto3.client("sesv2", region_name=REGION))


def html_of(ses: SentEmails) -> str:
    data: str = ses.simple()["Body"]["Html"]["Data"]
    return data


# ---------------------------------------------------------------- what is sent


def test_an_email_is_sent_from_the_sender_to_the_address_with_the_title_as_subject(ses: SentEmails) -> None:
    # When a delivery is sent
    result = EmailChannel(ses.client, SENDER).deliver(DELIVERY)

    # Then SES took one message, from the sender to the address, and the result names its id
    (message,) = ses.stored
    assert (message.source, message.destinations, message.subject) == (
        SENDER,
        {"ToAddresses": [ADDRESS]},
        DELIVERY.title,
    )
    assert (result.channel, result.status, result.detail) == ("email", "sent", f"message {message.id}")


def test_the_text_part_is_the_text_and_a_line_with_the_link(ses: SentEmails) -> None:
    EmailChannel(ses.client, SENDER).deliver(DELIVERY)

    text = ses.simple()["Body"]["Text"]
    assert text == {"Data": f"{DELIVERY.text}\n\nОткрыть тикет: {LINK}", "Charset": "UTF-8"}


def test_every_part_is_utf8(ses: SentEmails) -> None:
    EmailChannel(ses.client, SENDER).deliver(DELIVERY)

    simple = ses.simple()
    charsets = {
        simple["Subject"]["Charset"],
        simple["Body"]["Text"]["Charset"],
        simple["Body"]["Html"]["Charset"],
    }
    assert charsets == {"UTF-8"}


def test_the_html_part_holds_the_title_the_text_and_a_button_to_the_link(ses: SentEmails) -> None:
    # When a delivery is sent
    EmailChannel(ses.client, SENDER).deliver(DELIVERY)

    # Then the HTML SES took is a document in the delivery's language, with the title as its heading,
    # each line of the text, and an anchor to the link labelled as the delivery says
    html = html_of(ses)
    assert ses.stored[0].body == html
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="ru">' in html
    assert ">[high] Новый тикет tk_1</h1>" in html
    assert "«Порвалось, пишите [email]»" in html
    assert "Ответить до 12:00" in html
    (anchor,) = re.findall(r"<a [^>]*>[^<]*</a>", html)
    assert f'href="{LINK}"' in anchor
    assert anchor.endswith(">Открыть тикет</a>")


def test_the_html_part_is_safe_for_mail_clients_inline_styles_and_no_assets(ses: SentEmails) -> None:
    EmailChannel(ses.client, SENDER).deliver(DELIVERY)

    html = html_of(ses)
    # Gmail and Outlook drop <style> blocks and block remote images: nothing may depend on them
    for absent in ("<style", "<link", "<img", "<script", "src=", "class="):
        assert absent not in html
    # The only address the document points to is the delivery's link
    assert re.findall(r"https?://[^\"'<> ]+", html) == [LINK]


def test_everything_from_the_delivery_arrives_escaped_in_the_html_part(ses: SentEmails) -> None:
    # Given a delivery whose every field carries markup
    hostile = DELIVERY.model_copy(
        update={
            "title": "<script>alert(1)</script> тикет",
            "text": 'Покупатель: <b onmouseover="x()">жирно</b> & всё',
            "link": 'https://ops.example.test/t?a=1&b="><script>x()</script>',
            "link_label": "<i>Открыть</i>",
            "language": 'ru"><script>',
        }
    )

    # When it is sent
    EmailChannel(ses.client, SENDER).deliver(hostile)

    # Then no markup of it survives in the HTML: it shows as the text it is
    html = html_of(ses)
    assert "<script" not in html
    assert "<b " not in html
    assert "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; тикет" in html
    assert "&lt;b onmouseover=&quot;x()&quot;&gt;жирно&lt;/b&gt; &amp; всё" in html
    assert 'href="https://ops.example.test/t?a=1&amp;b=&quot;&gt;&lt;script&gt;x()&lt;/script&gt;"' in html
    assert '<html lang="ru&quot;&gt;&lt;script&gt;">' in html
    # And the subject and the text part are plain text, as they were given
    assert ses.simple()["Subject"]["Data"] == hostile.title
    assert ses.simple()["Body"]["Text"]["Data"].startswith(hostile.text)


def test_a_link_that_is_not_http_is_shown_but_is_no_button(ses: SentEmails) -> None:
    # Given a link that would run script when clicked, escaped or not
    EmailChannel(ses.client, SENDER).deliver(DELIVERY.model_copy(update={"link": "javascript:alert(1)"}))

    html = html_of(ses)
    assert "<a " not in html
    assert "javascript:alert(1)" in html


def test_without_a_link_there_is_no_button_and_no_link_line(ses: SentEmails) -> None:
    EmailChannel(ses.client, SENDER).deliver(DELIVERY.model_copy(update={"link": None}))

    assert "<a " not in html_of(ses)
    assert ses.simple()["Body"]["Text"]["Data"] == DELIVERY.text


def test_the_subject_is_one_line_of_at_most_200_characters(ses: SentEmails) -> None:
    # Given a title over two lines and far too long for a subject
    long_title = "Всплеск негатива\nпо товару " + "очень " * 60

    # When it is sent
    EmailChannel(ses.client, SENDER).deliver(DELIVERY.model_copy(update={"title": long_title}))

    # Then the subject is its start, on one line, marked as cut
    subject = ses.simple()["Subject"]["Data"]
    assert "\n" not in subject
    assert len(subject) == MAX_SUBJECT_CHARS
    assert subject.startswith("Всплеск негатива по товару очень")
    assert subject.endswith("…")
    assert ses.stored[0].subject == subject


def test_replies_go_to_the_reply_to_address_when_one_is_given(ses: SentEmails) -> None:
    EmailChannel(ses.client, SENDER, reply_to="support@shop.example.com").deliver(DELIVERY)

    assert ses.requests[0]["ReplyToAddresses"] == ["support@shop.example.com"]


def test_without_a_reply_to_address_none_is_sent(ses: SentEmails) -> None:
    EmailChannel(ses.client, SENDER).deliver(DELIVERY)

    assert "ReplyToAddresses" not in ses.requests[0]


def test_an_urgent_delivery_is_marked_in_red(ses: SentEmails) -> None:
    EmailChannel(ses.client, SENDER).deliver(DELIVERY.model_copy(update={"urgent": True}))

    assert "#c62828" in html_of(ses)


def test_the_channel_takes_the_name_it_is_given(ses: SentEmails) -> None:
    result = EmailChannel(ses.client, SENDER, name="managers-mail").deliver(DELIVERY)

    assert result.channel == "managers-mail"


# ---------------------------------------------------------------- refusals


def test_a_delivery_without_an_address_fails_and_sends_nothing(ses: SentEmails) -> None:
    result = EmailChannel(ses.client, SENDER).deliver(DELIVERY.model_copy(update={"address": None}))

    assert (result.status, result.detail) == ("failed", "no e-mail address")
    assert ses.stored == []


def test_an_unverified_sender_is_refused_for_good_and_no_address_is_kept(ses: SentEmails) -> None:
    # Given a sender SES has not verified
    unverified = "noreply@unverified.example.org"

    # When a delivery is sent from it
    result = EmailChannel(ses.client, unverified).deliver(DELIVERY)

    # Then it failed with SES's code and words, but the words name no address
    assert (result.status, result.error) == ("failed", "MessageRejected")
    assert result.detail.startswith("MessageRejected: ")
    assert unverified not in result.detail
    assert ADDRESS not in result.detail
    assert "@" not in result.detail
    assert ses.stored == []


@pytest.fixture
def stubbed() -> Iterator[tuple[EmailChannel, Stubber]]:
    client = boto3.client(
        "sesv2", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stubber:
        yield EmailChannel(client, SENDER), stubber
        stubber.assert_no_pending_responses()


REFUSED_WORDS = (
    f"Email address is not verified. The following identities failed the check: {SENDER}, {ADDRESS}"
)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("MessageRejected", 400),
        ("MailFromDomainNotVerifiedException", 400),
        ("AccountSuspendedException", 400),
        ("SendingPausedException", 400),
        ("BadRequestException", 400),
        ("NotFoundException", 404),
        ("AccessDeniedException", 403),  # not SendEmail's own, but a 4xx: no retry will grant it
    ],
)
def test_a_refusal_that_will_not_heal_is_failed_with_the_code_and_no_address(
    stubbed: tuple[EmailChannel, Stubber], code: str, status: int
) -> None:
    channel, stubber = stubbed
    stubber.add_client_error("send_email", code, REFUSED_WORDS, status)

    result = channel.deliver(DELIVERY)

    assert (result.status, result.error) == ("failed", code)
    assert result.detail == (
        f"{code}: Email address is not verified. The following identities failed the check: "
        "[address], [address]"
    )


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("TooManyRequestsException", 429),
        ("LimitExceededException", 400),
        ("Throttling", 400),
        ("InternalFailure", 500),
        ("ServiceUnavailable", 503),
        ("SomethingNew", 502),  # any 5xx is SES's own trouble
    ],
)
def test_a_refusal_that_may_heal_raises_so_the_delivery_is_tried_again(
    stubbed: tuple[EmailChannel, Stubber], code: str, status: int
) -> None:
    channel, stubber = stubbed
    stubber.add_client_error("send_email", code, f"slow down, {SENDER}", status)

    with pytest.raises(ChannelUnavailable) as caught:
        channel.deliver(DELIVERY)

    assert caught.value.cause == code
    assert str(caught.value) == f"{code}: slow down, [address]"


class FailingClient:
    """A sesv2 client whose SendEmail fails the way botocore fails when the network does."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    def send_email(self, **_: Any) -> dict[str, Any]:
        self.calls += 1
        raise self.error


ENDPOINT = f"https://email.{REGION}.amazonaws.com"


@pytest.mark.parametrize(
    "error",
    [EndpointConnectionError(endpoint_url=ENDPOINT), ConnectTimeoutError(endpoint_url=ENDPOINT)],
)
def test_a_connection_that_never_opened_raises_so_the_delivery_is_tried_again(error: Exception) -> None:
    with pytest.raises(ChannelUnavailable) as caught:
        EmailChannel(FailingClient(error), SENDER).deliver(DELIVERY)

    assert caught.value.cause == type(error).__name__
    assert str(caught.value) == f"not sent ({type(error).__name__})"


@pytest.mark.parametrize(
    "error",
    [ReadTimeoutError(endpoint_url=ENDPOINT), ConnectionClosedError(endpoint_url=ENDPOINT)],
)
def test_a_request_sent_without_an_answer_is_unconfirmed_not_tried_again(error: Exception) -> None:
    # Given SES that took the request and never answered (SendEmail has no idempotency key)
    client = FailingClient(error)

    # When a delivery is sent
    result = EmailChannel(client, SENDER).deliver(DELIVERY)

    # Then it is recorded as unconfirmed, once, so that no second e-mail can follow
    assert (result.status, result.error) == ("unconfirmed", type(error).__name__)
    assert result.detail == f"no answer after sending ({type(error).__name__})"
    assert client.calls == 1


# ---------------------------------------------------------------- pictures (a report's charts)

REPORT_URL = "https://otklik-reports.s3.amazonaws.com/reports/2026-W48/report.html?X-Amz-Signature=1&a=2"
VOLUME_URL = "https://otklik-reports.s3.amazonaws.com/reports/2026-W48/volume.png?X-Amz-Signature=2"
TOPICS_URL = "https://otklik-reports.s3.amazonaws.com/reports/2026-W48/topics.png?X-Amz-Signature=3&b=4"
VOLUME, TOPICS = png(6, 4, shade=10), png(6, 4, shade=200)
REPORT = Delivery(
    id="nt_report:email:anna",
    notification_id="nt_report",
    event="report_ready",
    channel="email",
    recipient="anna",
    address=ADDRESS,
    title="Отчёт готов: Неделя 2026-W48",
    text="23–29 ноября 2026\n412 отзывов, негатив 18%",
    link=REPORT_URL,
    link_label="Открыть отчёт",
    photo_url=VOLUME_URL,
    images=(
        DeliveryImage(name="volume.png", title="Отзывы по тональности", url=VOLUME_URL),
        DeliveryImage(name="topics.png", title="Темы «негатива» & <жалоб>", url=TOPICS_URL),
    ),
)


class Pictures:
    """An ImageFetcher over a dict of URL -> bytes; any other URL cannot be had. Records what it was asked."""

    def __init__(self, pictures: dict[str, bytes]) -> None:
        self.pictures = pictures
        self.asked: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.asked.append(url)
        if url not in self.pictures:
            raise ImageUnavailable("HTTP 403")
        return self.pictures[url]


BOTH = {VOLUME_URL: VOLUME, TOPICS_URL: TOPICS}


def raw_of(ses: SentEmails) -> EmailMessage:
    """The Raw message as sent, parsed back as a mail client reads it."""
    (request,) = ses.requests
    assert "Simple" not in request["Content"]
    data: bytes = request["Content"]["Raw"]["Data"]
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def parts_of(message: EmailMessage) -> tuple[str, str, list[EmailMessage]]:
    """The text, the HTML and the picture parts of a multipart/related report message."""
    assert message.get_content_type() == "multipart/related"
    root, *pictures = message.iter_parts()
    assert root.get_content_type() == "multipart/alternative"
    text_part, html_part = root.iter_parts()
    assert (text_part.get_content_type(), html_part.get_content_type()) == ("text/plain", "text/html")
    return text_part.get_content(), html_part.get_content(), cast(list[EmailMessage], pictures)


def test_a_delivery_with_pictures_is_one_mime_message_showing_each_attached_picture(ses: SentEmails) -> None:
    # Given a report's delivery with two charts that can be fetched
    pictures = Pictures(BOTH)

    # When it is sent
    result = EmailChannel(ses.client, SENDER, images=pictures).deliver(REPORT)

    # Then SES got one Raw message: multipart/related around the text and HTML parts and two PNGs
    assert result.status == "sent"
    assert pictures.asked == [VOLUME_URL, TOPICS_URL]
    text, html, images = parts_of(raw_of(ses))
    assert [part.get_content_type() for part in images] == ["image/png", "image/png"]
    # And each picture part holds the fetched bytes, inline, named as the chart's file
    assert [part.get_content() for part in images] == [VOLUME, TOPICS]
    assert [part.get_content_disposition() for part in images] == ["inline", "inline"]
    assert [part.get_filename() for part in images] == ["volume.png", "topics.png"]
    # And the HTML shows exactly those parts, by their Content-IDs, in order, after the text
    cids = [str(part["Content-ID"]).strip("<>") for part in images]
    assert len(set(cids)) == 2
    assert re.findall(r'<img src="cid:([^"]+)"', html) == cids
    assert html.index("412 отзывов") < html.index("cid:") < html.index(">Открыть отчёт</a>")
    # And each picture's title is its alt text and its caption, escaped
    assert 'alt="Отзывы по тональности"' in html
    assert 'alt="Темы «негатива» &amp; &lt;жалоб&gt;"' in html
    assert ">Темы «негатива» &amp; &lt;жалоб&gt;</p>" in html
    # And the text part is as without pictures
    assert text.replace("\r\n", "\n").strip() == f"{REPORT.text}\n\nОткрыть отчёт: {REPORT_URL}"


def test_a_mime_message_has_the_subject_in_cyrillic_and_the_senders_headers(ses: SentEmails) -> None:
    EmailChannel(ses.client, SENDER, reply_to="help@shop.example.com", images=Pictures(BOTH)).deliver(REPORT)

    message = raw_of(ses)
    # The message is 7-bit on the wire, the subject an RFC 2047 encoded word, and reads back as the title
    (request,) = ses.requests
    data = request["Content"]["Raw"]["Data"]
    assert data.isascii()
    assert data.startswith(b"Subject: =?utf-8?")
    assert message["Subject"] == "Отчёт готов: Неделя 2026-W48"
    assert (message["From"], message["To"], message["Reply-To"]) == (
        SENDER,
        ADDRESS,
        "help@shop.example.com",
    )
    assert message["MIME-Version"] == "1.0"
    assert request["FromEmailAddress"] == SENDER
    assert request["Destination"] == {"ToAddresses": [ADDRESS]}
    # The images are of a PNG's width at most the column's
    _, html, _ = parts_of(message)
    assert html.count("width:100%;max-width:600px") == 2


def test_moto_records_the_raw_message_as_ses_takes_it(ses: SentEmails) -> None:
    result = EmailChannel(ses.client, SENDER, images=Pictures(BOTH)).deliver(REPORT)

    (stored,) = ses.stored
    assert result.detail == f"message {stored.id}"
    assert stored.source == SENDER
    assert ADDRESS in stored.destinations
    kept = email.message_from_string(stored.raw_data, policy=email.policy.default)
    assert kept["Subject"] == REPORT.title
    assert [part.get_content_type() for part in kept.walk()] == [
        "multipart/related",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "image/png",
        "image/png",
    ]


def test_a_picture_that_cannot_be_fetched_is_left_out_and_its_link_takes_its_place(ses: SentEmails) -> None:
    # Given the topics chart cannot be fetched (its URL expired: S3 answers 403)
    pictures = Pictures({VOLUME_URL: VOLUME})

    # When the report is sent
    result = EmailChannel(ses.client, SENDER, images=pictures).deliver(REPORT)

    # Then it went with the one picture it has, and says one of two was left out, naming no URL
    assert (result.status, result.error) == ("sent", None)
    assert result.detail.endswith("; 1 of 2 images left out, sent as links")
    assert "http" not in result.detail and "@" not in result.detail
    text, html, images = parts_of(raw_of(ses))
    assert [part.get_content() for part in images] == [VOLUME]
    assert len(re.findall(r'<img src="cid:', html)) == 1
    # And the missing one is a line with its link, in the HTML and in the text
    assert f'href="{TOPICS_URL.replace("&", "&amp;")}"' in html
    assert f"Темы «негатива» & <жалоб>: {TOPICS_URL}" in text


def test_without_any_picture_fetched_the_links_go_in_a_simple_message(ses: SentEmails) -> None:
    # Given no chart can be fetched
    result = EmailChannel(ses.client, SENDER, images=Pictures({})).deliver(REPORT)

    # Then the message is a Simple one, with a line per chart's link, and says both were left out
    assert result.detail.endswith("; 2 of 2 images left out, sent as links")
    simple = ses.simple()
    assert f"Отзывы по тональности: {VOLUME_URL}" in simple["Body"]["Text"]["Data"]
    assert "<img" not in simple["Body"]["Html"]["Data"]
    assert f'href="{VOLUME_URL}"' in simple["Body"]["Html"]["Data"]


def test_without_a_fetcher_the_pictures_go_as_links() -> None:
    client = boto3.client(
        "sesv2", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stubber:
        stubber.add_response("send_email", {"MessageId": "m-1"})
        result = EmailChannel(client, SENDER).deliver(REPORT)

    assert result.detail == "message m-1; 2 of 2 images left out, sent as links"


def test_bytes_that_are_no_png_or_jpeg_are_left_out(ses: SentEmails) -> None:
    pictures = Pictures({VOLUME_URL: b"<html>login</html>", TOPICS_URL: JPEG})

    result = EmailChannel(ses.client, SENDER, images=pictures).deliver(REPORT)

    _, html, images = parts_of(raw_of(ses))
    assert [part.get_content_type() for part in images] == ["image/jpeg"]
    assert [part.get_content() for part in images] == [JPEG]
    assert f'href="{VOLUME_URL}"' in html
    assert result.detail.endswith("; 1 of 2 images left out, sent as links")


def test_pictures_past_the_time_budget_go_as_links(ses: SentEmails) -> None:
    # Given a fetch that takes longer than the whole budget
    ticks = iter([0.0, 0.0, IMAGES_BUDGET_SECONDS + 1])

    # When the report is sent
    pictures = Pictures(BOTH)
    result = EmailChannel(ses.client, SENDER, images=pictures, clock=lambda: next(ticks)).deliver(REPORT)

    # Then the second chart is not even asked for, and goes as its link
    assert pictures.asked == [VOLUME_URL]
    assert result.detail.endswith("; 1 of 2 images left out, sent as links")


def test_an_attachment_name_is_a_plain_file_name() -> None:
    delivery = REPORT.model_copy(
        update={"images": (DeliveryImage(name='../"evil"\r\nX: y.png', title="t", url=VOLUME_URL),)}
    )
    message = email.message_from_bytes(
        mime_message(
            delivery, SENDER, ADDRESS, [InlineImage(delivery.images[0], VOLUME, "png", "i1@otklik")]
        ),
        policy=email.policy.default,
    )

    (picture,) = [part for part in message.walk() if part.get_content_maintype() == "image"]
    assert picture.get_filename() == "evil_X_y.png"
    assert "X" not in message


@pytest.fixture
def stubbed_pictures() -> Iterator[tuple[EmailChannel, Stubber]]:
    client = boto3.client(
        "sesv2", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stubber:
        yield EmailChannel(client, SENDER, images=Pictures(BOTH)), stubber
        stubber.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("code", "status"),
    [("MessageRejected", 400), ("BadRequestException", 400), ("AccessDeniedException", 403)],
)
def test_a_raw_message_refused_for_good_is_failed_as_a_simple_one(
    stubbed_pictures: tuple[EmailChannel, Stubber], code: str, status: int
) -> None:
    channel, stubber = stubbed_pictures
    stubber.add_client_error(
        "send_email",
        code,
        REFUSED_WORDS,
        status,
        expected_params={
            "FromEmailAddress": SENDER,
            "Destination": {"ToAddresses": [ADDRESS]},
            "Content": {"Raw": {"Data": ANY}},
        },
    )

    result = channel.deliver(REPORT)

    assert (result.status, result.error) == ("failed", code)
    assert "@" not in result.detail


@pytest.mark.parametrize(
    ("code", "status"), [("TooManyRequestsException", 429), ("Throttling", 400), ("SomethingNew", 502)]
)
def test_a_raw_message_refused_for_now_raises_so_it_is_tried_again(
    stubbed_pictures: tuple[EmailChannel, Stubber], code: str, status: int
) -> None:
    channel, stubber = stubbed_pictures
    stubber.add_client_error("send_email", code, f"slow down, {SENDER}", status)

    with pytest.raises(ChannelUnavailable) as caught:
        channel.deliver(REPORT)

    assert (caught.value.cause, str(caught.value)) == (code, f"{code}: slow down, [address]")


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (EndpointConnectionError(endpoint_url=ENDPOINT), None),
        (ReadTimeoutError(endpoint_url=ENDPOINT), "unconfirmed"),
        (ConnectionClosedError(endpoint_url=ENDPOINT), "unconfirmed"),
    ],
)
def test_a_raw_message_lost_on_the_way_is_judged_as_a_simple_one(
    error: Exception, status: str | None
) -> None:
    channel = EmailChannel(FailingClient(error), SENDER, images=Pictures(BOTH))

    if status is None:
        with pytest.raises(ChannelUnavailable):
            channel.deliver(REPORT)
    else:
        assert channel.deliver(REPORT).status == status


# ---------------------------------------------------------------- fetching pictures over HTTP


@pytest.fixture
def picture_server(loopback: None) -> Iterator[PictureServer]:
    big = png(2000, 2000, shade=7)
    with PictureServer(
        {
            "/volume.png": Picture(VOLUME),
            "/photo.jpg": Picture(JPEG, "image/jpeg"),
            "/typed.png": Picture(VOLUME, "image/png; charset=binary"),
            "/page.html": Picture(b"<html>sign in</html>", "text/html"),
            "/big.png": Picture(big),
            "/boom.png": Picture(b"oops", "text/plain", 500),
        }
    ) as server:
        yield server


def test_the_http_fetcher_gets_a_png_or_jpeg_by_get(picture_server: PictureServer) -> None:
    fetch = HttpImageFetcher(HttpClient(attempts=1))

    assert fetch(picture_server.url("/volume.png?X-Amz-Signature=1")) == VOLUME
    assert fetch(picture_server.url("/photo.jpg")) == JPEG
    assert fetch(picture_server.url("/typed.png")) == VOLUME
    assert picture_server.requested == ["/volume.png?X-Amz-Signature=1", "/photo.jpg", "/typed.png"]


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/page.html", "not a PNG or JPEG (text/html)"),
        ("/gone.png", "HTTP 404"),
        ("/boom.png", "HTTP 500"),
        ("/big.png", "over 1000 bytes"),
    ],
)
def test_the_http_fetcher_refuses_what_is_no_picture_it_may_take(
    picture_server: PictureServer, path: str, why: str
) -> None:
    fetch = HttpImageFetcher(HttpClient(attempts=1), max_bytes=1000)

    with pytest.raises(ImageUnavailable) as caught:
        fetch(picture_server.url(path) + "?X-Amz-Signature=secret")

    assert str(caught.value) == why
    assert "secret" not in str(caught.value)


def test_the_http_fetcher_fetches_nothing_but_http() -> None:
    with pytest.raises(ImageUnavailable):
        HttpImageFetcher(HttpClient(attempts=1))("file:///etc/passwd")
