"""The SMS channel on SNS (moto, and botocore's Stubber for the refusals moto cannot make): the short text
a phone gets, and which answers are sent, failed for good, unconfirmed or tried again; never a number."""

from __future__ import annotations

import copy
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
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from otklik.adapters.sms import SmsChannel, masked_phone, sms_text
from otklik.domain.models import Delivery
from otklik.ports import ChannelUnavailable

REGION = "eu-central-1"
PHONE = "+79123456789"
LINK = "https://ops.example.test/t/tk_1"
DELIVERY = Delivery(
    id="dl_1",
    notification_id="nt_1",
    event="sla_breached",
    channel="sms",
    recipient="anna",
    address=PHONE,
    title="[urgent] Просрочен первый ответ по тикету tk_1",
    text="Длинный текст, которого в SMS нет",
    link=LINK,
    urgent=True,
)
LONG_TITLE = (
    "[urgent] Просрочен первый ответ по тикету tk_1: покупатель ждёт уже три часа, "
    "товар Платье летнее синее, размер 46, отзыв с оценкой 1, тремя фотографиями и жалобой на доставку"
)


def titled(title: str, link: str | None = LINK) -> Delivery:
    return DELIVERY.model_copy(update={"title": title, "link": link})


# ---------------------------------------------------------------- the short text


def test_a_short_title_and_the_link_go_as_they_are_a_line_each() -> None:
    assert sms_text(DELIVERY) == f"{DELIVERY.title}\n{LINK}"


def test_without_a_link_the_text_is_the_title() -> None:
    assert sms_text(titled(DELIVERY.title, link=None)) == DELIVERY.title


def test_a_long_title_is_cut_at_a_word_with_an_ellipsis_and_the_link_kept_whole() -> None:
    # Given a title that leaves no room for the link
    text = sms_text(titled(LONG_TITLE))

    # Then the text fits two Cyrillic segments, ends with the whole link, and the title is cut after a word
    head, link = text.split("\n")
    assert len(text) <= 140
    assert link == LINK
    assert head.endswith("…")
    kept = head.removesuffix("…")
    assert LONG_TITLE.startswith(kept)
    assert LONG_TITLE[len(kept)] in " ,"


def test_a_long_title_without_a_link_uses_all_140_characters_it_can() -> None:
    text = sms_text(titled(LONG_TITLE, link=None))

    assert 130 <= len(text) <= 140
    assert text.endswith("…")
    assert LONG_TITLE.startswith(text.removesuffix("…"))
    assert LONG_TITLE[len(text) - 1] in " ,"


def test_the_title_goes_on_one_line() -> None:
    assert sms_text(titled("Всплеск\nнегатива   по товару", link=None)) == "Всплеск негатива по товару"


def test_a_link_that_would_crowd_out_the_title_is_left_out() -> None:
    # Given a link so long that fewer than 20 characters of title would be left
    long_link = "https://ops.example.test/tickets/" + "x" * 100

    text = sms_text(titled(LONG_TITLE, link=long_link))

    # Then the SMS tells what happened, without the link
    assert long_link not in text
    assert text.startswith("[urgent] Просрочен")
    assert len(text) <= 140


def test_a_single_word_longer_than_the_limit_is_cut_inside_it() -> None:
    text = sms_text(titled("Ж" * 300, link=None))

    assert text == "Ж" * 139 + "…"


def test_the_limit_can_be_one_segment() -> None:
    text = sms_text(titled(LONG_TITLE, link=None), limit=70)

    assert len(text) <= 70
    assert text.endswith("…")


@settings(max_examples=300, deadline=None)
@given(
    title=st.text(st.sampled_from("абв где жз,.:-— \nXYZ1"), max_size=400),
    link=st.none() | st.sampled_from([LINK, "https://x.test/" + "a" * 125, "https://y.test/" + "b" * 200]),
    limit=st.integers(min_value=20, max_value=300),
)
def test_the_text_never_exceeds_the_limit_and_the_link_is_whole_or_absent(
    title: str, link: str | None, limit: int
) -> None:
    text = sms_text(titled(title, link=link), limit=limit)

    assert len(text) <= limit
    if link is not None and link[:10] in text:
        assert text.endswith(link)


# ---------------------------------------------------------------- sending


class SentSms:
    """The sns client on moto, and each Publish request it was given (moto keeps no attributes)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.requests: list[dict[str, Any]] = []
        client.meta.events.register("provide-client-params.sns.Publish", self._record)

    def _record(self, params: dict[str, Any], **_: Any) -> None:
        self.requests.append(copy.deepcopy(params))

    @property
    def stored(self) -> dict[str, tuple[str, str]]:
        """What SNS (moto) sent: message id -> (phone number, text)."""
        return dict(sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages)


@pytest.fixture
def sns(monkeypatch: pytest.MonkeyPatch) -> Iterator[SentSms]:
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield SentSms(boto3.client("sns", region_name=REGION))


def test_an_sms_is_sent_to_the_number_with_the_short_text(sns: SentSms) -> None:
    # When a delivery is sent
    result = SmsChannel(sns.client).deliver(DELIVERY)

    # Then SNS sent one SMS, to the number, with the title and the link, and the result names its id
    ((message_id, sent),) = sns.stored.items()
    assert sent == (PHONE, f"{DELIVERY.title}\n{LINK}")
    assert (result.channel, result.status, result.detail) == ("sms", "sent", f"message {message_id}")
    assert PHONE not in result.detail


def test_a_long_title_is_sent_cut_to_fit(sns: SentSms) -> None:
    SmsChannel(sns.client).deliver(titled(LONG_TITLE))

    ((_, text),) = sns.stored.values()
    assert text == sms_text(titled(LONG_TITLE))
    assert len(text) <= 140


def test_the_sms_is_transactional_and_has_no_sender_id_unless_given(sns: SentSms) -> None:
    SmsChannel(sns.client).deliver(DELIVERY)

    assert sns.requests[0]["MessageAttributes"] == {
        "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
    }


def test_a_sender_id_given_is_sent_with_the_sms(sns: SentSms) -> None:
    SmsChannel(sns.client, sender_id="OTKLIK").deliver(DELIVERY)

    attributes = sns.requests[0]["MessageAttributes"]
    assert attributes["AWS.SNS.SMS.SenderID"] == {"DataType": "String", "StringValue": "OTKLIK"}
    assert attributes["AWS.SNS.SMS.SMSType"]["StringValue"] == "Transactional"


def test_the_channel_takes_the_name_it_is_given(sns: SentSms) -> None:
    assert SmsChannel(sns.client, name="duty-phone").deliver(DELIVERY).channel == "duty-phone"


def test_a_delivery_without_a_number_fails_and_sends_nothing(sns: SentSms) -> None:
    result = SmsChannel(sns.client).deliver(DELIVERY.model_copy(update={"address": None}))

    assert (result.status, result.detail) == ("failed", "no phone number")
    assert sns.stored == {}


def test_a_number_sns_refuses_fails_for_good(sns: SentSms) -> None:
    result = SmsChannel(sns.client).deliver(DELIVERY.model_copy(update={"address": "8-912-abc"}))

    assert (result.status, result.error) == ("failed", "InvalidParameter")
    assert result.detail.startswith("InvalidParameter: ")
    assert sns.stored == {}


# ---------------------------------------------------------------- refusals moto cannot make


@pytest.fixture
def stubbed() -> Iterator[tuple[SmsChannel, Stubber]]:
    client = boto3.client(
        "sns", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as stubber:
        yield SmsChannel(client), stubber
        stubber.assert_no_pending_responses()


NAMING_THE_NUMBER = f"Invalid parameter: PhoneNumber Reason: {PHONE} (or +7 912 345-67-89) cannot be reached"


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("InvalidParameter", 400),
        ("ParameterValueInvalid", 400),  # InvalidParameterValueException's code
        ("InvalidParameterValue", 400),
        ("AuthorizationError", 403),
        ("OptedOut", 400),
        ("VerificationException", 400),
        ("KMSAccessDenied", 400),
        ("KMSDisabled", 400),
        ("KMSNotFound", 400),
        ("KMSOptInRequired", 403),
        ("SomethingNew", 400),  # any other 4xx: sending again gets the same answer
    ],
)
def test_a_refusal_that_will_not_heal_is_failed_and_its_words_keep_two_digits_of_the_number(
    stubbed: tuple[SmsChannel, Stubber], code: str, status: int
) -> None:
    # Given SNS refusing with words that name the number, twice over
    channel, stubber = stubbed
    stubber.add_client_error("publish", code, NAMING_THE_NUMBER, status)

    # When a delivery is sent
    result = channel.deliver(DELIVERY)

    # Then it failed with the code, and the number shows only as its last two digits
    assert (result.status, result.error) == ("failed", code)
    assert (
        result.detail == f"{code}: Invalid parameter: PhoneNumber Reason: ***89 (or ***89) cannot be reached"
    )


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("Throttled", 429),
        ("ThrottlingException", 400),
        ("KMSThrottling", 400),
        ("InternalError", 500),
        ("SomethingNew", 503),  # any 5xx is SNS's own trouble
    ],
)
def test_a_refusal_that_may_heal_raises_so_the_delivery_is_tried_again(
    stubbed: tuple[SmsChannel, Stubber], code: str, status: int
) -> None:
    channel, stubber = stubbed
    stubber.add_client_error("publish", code, f"Rate exceeded for {PHONE}", status)

    with pytest.raises(ChannelUnavailable) as caught:
        channel.deliver(DELIVERY)

    assert caught.value.cause == code
    assert str(caught.value) == f"{code}: Rate exceeded for ***89"


class FailingClient:
    """An sns client whose Publish fails the way botocore fails when the network does."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    def publish(self, **_: Any) -> dict[str, Any]:
        self.calls += 1
        raise self.error


ENDPOINT = f"https://sns.{REGION}.amazonaws.com"


@pytest.mark.parametrize(
    "error",
    [EndpointConnectionError(endpoint_url=ENDPOINT), ConnectTimeoutError(endpoint_url=ENDPOINT)],
)
def test_a_connection_that_never_opened_raises_so_the_delivery_is_tried_again(error: Exception) -> None:
    with pytest.raises(ChannelUnavailable) as caught:
        SmsChannel(FailingClient(error)).deliver(DELIVERY)

    assert caught.value.cause == type(error).__name__
    assert str(caught.value) == f"not sent ({type(error).__name__})"


@pytest.mark.parametrize(
    "error",
    [ReadTimeoutError(endpoint_url=ENDPOINT), ConnectionClosedError(endpoint_url=ENDPOINT)],
)
def test_a_request_sent_without_an_answer_is_unconfirmed_not_tried_again(error: Exception) -> None:
    # Given SNS that took the request and never answered (Publish to a number has no deduplication)
    client = FailingClient(error)

    # When a delivery is sent
    result = SmsChannel(client).deliver(DELIVERY)

    # Then it is recorded as unconfirmed, once, so that no second SMS can follow
    assert (result.status, result.error) == ("unconfirmed", type(error).__name__)
    assert result.detail == f"no answer after sending ({type(error).__name__})"
    assert client.calls == 1


@pytest.mark.parametrize(
    ("number", "masked"), [("+79123456789", "***89"), ("+7 (912) 345-67-01", "***01"), ("5", "***5")]
)
def test_a_masked_number_keeps_its_last_two_digits_only(number: str, masked: str) -> None:
    assert masked_phone(number) == masked
