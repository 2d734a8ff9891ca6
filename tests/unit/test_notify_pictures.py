"""plan.delivery carries a built report's pictures to the channels: its main chart as photo_url (Telegram's
photo) and its charts as images (an e-mail's inline pictures); a ticket's event carries none."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from otklik.domain.models import DeliveryImage, Notification
from otklik.domain.notifications import DEFAULT_TEXTS, event_notification
from otklik.domain.notify.plan import MAX_IMAGES, Target, delivery
from otklik.domain.notify.settings import Recipient

NOW = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
BUCKET = "https://otklik-reports.s3.eu-central-1.amazonaws.com/reports/weekly/2026-W48"
SIGNED = "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=604800&X-Amz-Signature=ab12"
ANNA = Recipient(name="anna", addresses={"mail": "anna@shop.example", "tg": "4242"})
MAIL = Target("mail", "email", ANNA, "anna@shop.example")
TG = Target("tg", "telegram", ANNA, "4242")


def report(**changes: Any) -> Notification:
    facts: dict[str, Any] = {
        "title": "Неделя 2026-W48",
        "period": "23–29 ноября 2026",
        "summary": "412 отзывов, негатив 18%",
        "url": f"{BUCKET}/report.html{SIGNED}",
        "photo": f"{BUCKET}/volume.png{SIGNED}",
        "charts": [
            {"name": "volume.png", "title": "Отзывы по тональности", "url": f"{BUCKET}/volume.png{SIGNED}"},
            {"name": "topics.png", "title": "Темы негатива", "url": f"{BUCKET}/topics.png{SIGNED}"},
        ],
        **changes,
    }
    return event_notification("report_ready", "weekly:2026-W48", {"report": facts}, NOW, DEFAULT_TEXTS)


def ticket_note() -> Notification:
    return Notification(
        id="nt_1_ticket_opened",
        ticket_id="tk_1",
        event="ticket_opened",
        created_at=NOW,
        title="[high] Новый тикет tk_1",
        text="as built",
    )


def test_a_report_reaches_each_channel_with_its_main_chart_and_every_chart_in_order() -> None:
    # Given a built report's notification with its main chart and two charts
    note = report()

    # When it becomes a delivery on e-mail and one on Telegram
    mail = delivery(note, MAIL, DEFAULT_TEXTS, "", is_urgent=False)
    telegram = delivery(note, TG, DEFAULT_TEXTS, "", is_urgent=False)

    # Then both carry the main chart as the photo and the charts as pictures, with their names and titles
    charts = (
        DeliveryImage(name="volume.png", title="Отзывы по тональности", url=f"{BUCKET}/volume.png{SIGNED}"),
        DeliveryImage(name="topics.png", title="Темы негатива", url=f"{BUCKET}/topics.png{SIGNED}"),
    )
    for each in (mail, telegram):
        assert each.photo_url == f"{BUCKET}/volume.png{SIGNED}"
        assert each.images == charts
        # And the button still opens the report's page
        assert each.link == f"{BUCKET}/report.html{SIGNED}"


def test_a_ticket_event_carries_no_photo_and_no_pictures() -> None:
    ticket = delivery(ticket_note(), TG, DEFAULT_TEXTS, "https://ops.example", is_urgent=False)

    assert (ticket.photo_url, ticket.images) == (None, ())


def test_a_report_without_charts_carries_none() -> None:
    note = report(photo=None, charts=None)

    built = delivery(note, MAIL, DEFAULT_TEXTS, "", is_urgent=False)

    assert (built.photo_url, built.images) == (None, ())


def test_malformed_charts_are_left_out_and_a_nameless_one_is_named() -> None:
    # Given charts of which only two are http(s) pictures, one without a name or a title
    charts: list[Any] = [
        "volume.png",
        {"name": "script.png", "title": "x", "url": "javascript:alert(1)"},
        {"name": "file.png", "title": "x", "url": "file:///etc/passwd"},
        {"name": "nourl.png", "title": "x"},
        {"name": "hostless.png", "title": "x", "url": "https://"},
        {"name": "spaced.png", "title": "x", "url": "https://cdn.example/a b.png"},
        {"name": 7, "title": ["no"], "url": "HTTPS://cdn.example/anon.png"},
        {"name": "  ratings.png ", "title": " Оценки ", "url": "http://127.0.0.1:4566/r/ratings.png"},
    ]

    # When the report becomes a delivery
    built = delivery(report(charts=charts, photo="ftp://cdn.example/p.png"), MAIL, DEFAULT_TEXTS, "", False)

    # Then only those two are carried, in order, trimmed; and a photo that is no web URL is none
    assert built.images == (
        DeliveryImage(name="chart-1.png", title="", url="HTTPS://cdn.example/anon.png"),
        DeliveryImage(name="ratings.png", title="Оценки", url="http://127.0.0.1:4566/r/ratings.png"),
    )
    assert built.photo_url is None


def test_charts_that_are_not_a_list_are_ignored() -> None:
    built = delivery(report(charts={"name": "volume.png"}), MAIL, DEFAULT_TEXTS, "", is_urgent=False)

    assert built.images == ()
    assert built.photo_url == f"{BUCKET}/volume.png{SIGNED}"


def test_at_most_max_images_are_carried() -> None:
    charts = [{"name": f"c{n}.png", "url": f"{BUCKET}/c{n}.png"} for n in range(MAX_IMAGES + 3)]

    built = delivery(report(charts=charts), MAIL, DEFAULT_TEXTS, "", is_urgent=False)

    assert [image.name for image in built.images] == [f"c{n}.png" for n in range(MAX_IMAGES)]
