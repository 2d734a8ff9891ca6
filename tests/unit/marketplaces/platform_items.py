"""What each marketplace sends, shaped as its API documentation shows it: one sample per item kind,
varied by keyword, shared by the domain tests and the HTTP client tests."""

from __future__ import annotations

import json
from typing import Any


def wildberries_review(
    feedback: str = "YX52RZEBhH9mrcYdEJuD", created: str = "2026-11-21T10:20:48+03:00", **fields: Any
) -> dict:
    item: dict[str, Any] = {
        "id": feedback,
        "text": "Ткань тонкая, после первой стирки села на размер",
        "pros": "Красивый цвет",
        "cons": "Маломерит",
        "productValuation": 2,
        "createdDate": created,
        "answer": None,
        "state": "none",
        "productDetails": {
            "imtId": 123456789,
            "nmId": 987654321,
            "productName": "Футболка-поло мужская",
            "supplierArticle": "DP02/черный",
            "supplierName": "ГП Реклама и услуги",
            "brandName": "Бест Трикотаж",
            "size": "48",
        },
        "photoLinks": [
            {
                "fullSize": "https://feedback04.wbbasket.ru/vol1333/part133337/1/photos/fs.jpg",
                "miniSize": "https://feedback04.wbbasket.ru/vol1333/part133337/1/photos/ms.jpg",
            }
        ],
        "userName": "Николай",
        "wasViewed": False,
    }
    item.update(fields)
    return item


def wildberries_question(
    ident: str = "2ncBtX4B9I0UHoornoqG", created: str = "2026-11-21T11:18:08.769513469Z"
) -> dict:
    return {
        "id": ident,
        "text": "Подскажите, какой рост у модели на фото?",
        "createdDate": created,
        "state": "suppliersPortalSynch",
        "answer": None,
        "productDetails": {
            "imtId": 11157265,
            "nmId": 14917842,
            "productName": "Платье летнее",
            "brandName": "Х",
        },
        "wasViewed": False,
        "isWarned": False,
    }


def ozon_review(ident: str = "017c0d1c-66d3-b838-3d29-cf9b95a6ac48", **fields: Any) -> dict:
    item: dict[str, Any] = {
        "id": ident,
        "sku": 148591503,
        "text": "Чайник протекает по шву, вернула бы, да срок прошёл",
        "published_at": "2026-11-20T07:23:55.970Z",
        "rating": 1,
        "status": "UNPROCESSED",
        "comments_amount": 0,
        "photos_amount": 2,
        "videos_amount": 0,
        "order_status": "DELIVERED",
        "is_rating_participant": True,
    }
    item.update(fields)
    return item


def ozon_question(ident: str = "019294ff-6888-7009-89d8-26569e4e450d") -> dict:
    return {
        "answers_count": 0,
        "author_name": "Марина",
        "id": ident,
        "sku": 646399170,
        "product_url": "https://www.ozon.ru/product/1649246352/",
        "published_at": "2026-11-21T12:02:01.889Z",
        "question_link": "https://www.ozon.ru/product/1649246352/questions/?qid=290180206",
        "text": "Подойдёт ли к индукционной плите?",
        "status": "NEW",
    }


def ozon_chat_message(
    message_type: str = "TYPE_NEW_MESSAGE", user_type: str = "Customer", **fields: Any
) -> dict:
    document: dict[str, Any] = {
        "message_type": message_type,
        "chat_id": "b646d975-0c9c-4872-9f41-8b1e57181063",
        "chat_type": "Buyer_Seller",
        "message_id": "3000000000817031942",
        "created_at": "2026-11-21T20:58:04.528Z",
        "user": {"id": "115568", "type": user_type},
        "data": ["Здравствуйте! Заказ пришёл без крышки.", "Что делать?"],
        "seller_id": "7",
    }
    document.update(fields)
    return document


def yandex_market_review(
    ident: int = 88001, created: str = "2026-11-20T14:30:30+03:00", **fields: Any
) -> dict:
    item: dict[str, Any] = {
        "feedbackId": ident,
        "createdAt": created,
        "needReaction": True,
        "identifiers": {"orderId": 51234567, "offerId": "kettle-steel-1.7"},
        "author": "Ирина К.",
        "description": {
            "advantages": "Быстро кипятит",
            "disadvantages": "Ручка нагревается",
            "comment": "В целом неплохо, но за такую цену ожидала большего",
        },
        "media": {"photos": ["https://avatars.mds.yandex.net/get-market-ugc/1/orig"], "videos": []},
        "statistics": {"rating": 3, "commentsCount": 0, "recommended": False},
    }
    item.update(fields)
    return item


def body(document: Any) -> bytes:
    """A push or notification body as the platform posts it: UTF-8 JSON."""
    return json.dumps(document, ensure_ascii=False).encode("utf-8")
