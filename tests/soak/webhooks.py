"""The soak's webhooks: events/webhook_body_custom.json with unique ids, varied ratings and Russian texts,
and the order they are delivered in, re-deliveries included."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from tests.support.signing import sample_body

_OPENINGS = (
    "Ужасное качество, порвалось через день",
    "Отличный товар, пользуюсь каждый день",
    "Курьер опоздал на три часа и нагрубил",
    "Всё пришло вовремя, упаковка целая",
    "Размер не подошёл, пришлось возвращать",
    "Цена завышена, за эти деньги ожидал большего",
    "Подарок понравился, спасибо продавцу",
    "Не работает с первого дня, очень разочарована",
    "Нормально, ничего особенного",
    "Запах химии не выветривается уже неделю",
    "Лучшая покупка за год, рекомендую всем",
    "Пришёл не тот цвет, что на фото",
)
_ENDINGS = (
    "",
    " Верните деньги!",
    " Буду заказывать ещё.",
    " Пишите на anna.petrova@example.ru или звоните +7 912 345-67-89.",
    " Спасибо!",
    " Поддержка не отвечает вторые сутки.",
    " Когда будет в наличии?",
)
_KINDS = ("review", "review", "review", "question", "complaint", "survey")
_TIERS = ("regular", "regular", "regular", "gold", "vip")


@dataclass(frozen=True)
class Webhook:
    """One feedback item as its sender posts it, and how many times the sender delivers it."""

    external_id: str
    body: bytes
    deliveries: int  # 1, or 2-3 for a re-delivered webhook
    concurrent: bool  # its re-deliveries are sent at the same moment as the first delivery


@dataclass(frozen=True)
class Delivery:
    webhook: Webhook
    number: int  # 1 for the first delivery


def make_webhooks(count: int, run_id: str, now: datetime, seed: int) -> list[Webhook]:
    """count webhooks with unique ids; about one in seven is delivered again, half of those concurrently."""
    rng = random.Random(seed)
    webhooks = []
    for n in range(count):
        kind = rng.choice(_KINDS)
        text = rng.choice(_OPENINGS) + rng.choice(_ENDINGS)
        rating = None if kind == "question" or rng.random() < 0.1 else rng.randint(1, 5)
        created = now - timedelta(days=rng.randint(0, 4), minutes=rng.randint(0, 600))
        external_id = f"soak-{run_id}-{n:05d}"
        body = sample_body(
            id=external_id,
            kind=kind,
            text=text,
            rating=rating,
            product={"id": f"sku-{rng.randint(1, 400)}", "name": "Рюкзак городской 20 л"},
            order={"id": f"ord-{run_id}-{n}"},
            customer={"id": f"c-{rng.randint(1, 3000)}", "name": "Анна", "tier": rng.choice(_TIERS)},
            created_at=created.isoformat(timespec="seconds"),
        )
        draw = rng.random()
        deliveries = 3 if draw < 0.05 else 2 if draw < 0.15 else 1
        webhooks.append(
            Webhook(external_id, body, deliveries, concurrent=deliveries > 1 and rng.random() < 0.5)
        )
    return webhooks


def delivery_order(webhooks: list[Webhook], seed: int) -> list[Delivery]:
    """Every delivery in the order senders take them: a concurrent re-delivery right behind its first
    (so another sender takes it at the same moment), a later one somewhere after it."""
    rng = random.Random(seed + 1)
    order: list[Delivery] = []
    later: list[tuple[int, Delivery]] = []
    for webhook in webhooks:
        order.append(Delivery(webhook, 1))
        for number in range(2, webhook.deliveries + 1):
            if webhook.concurrent:
                order.append(Delivery(webhook, number))
            else:
                later.append(
                    (len(order) + rng.randint(1, max(1, len(webhooks) // 4)), Delivery(webhook, number))
                )
    for position, delivery in sorted(later, key=lambda entry: entry[0], reverse=True):
        order.insert(min(position, len(order)), delivery)
    return order


def external_id_of(body: bytes) -> str:
    return str(json.loads(body)["id"])
