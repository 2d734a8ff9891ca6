"""The e-mail channel on SES (moto, and botocore's Stubber for the refusals moto cannot make): what a
recipient gets in each part, and which answers are sent, failed for good, unconfirmed or tried again."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.stub import Stubber
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from otklik.adapters.email import MAX_SUBJECT_CHARS, EmailChannel
from otklik.domain.models import Delivery
from otklik.ports import ChannelUnavailable

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
