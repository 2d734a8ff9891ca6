"""The last replies on a product: which product a reply is compared on, and with which replies."""

from __future__ import annotations

from otklik.domain.models import ProductRef
from otklik.domain.replies.recent import RecentReply, others, product_key

BACKPACK = ProductRef(id="p-1", name="Рюкзак городской")


def test_feedback_about_no_product_is_compared_on_none() -> None:
    # Given feedback about no product
    # When its product key is asked for
    # Then there is none (its reply is compared with nothing)
    assert product_key("wildberries", "wb-main", None) is None


def test_a_product_key_names_the_source_the_account_and_the_product() -> None:
    # Given a product of one account on Wildberries
    key = product_key("wildberries", "wb-main", BACKPACK)
    # Then its key holds each of them
    assert key is not None
    assert "wildberries" in key and "wb-main" in key and "p-1" in key


def test_the_same_product_id_of_two_accounts_or_two_sources_is_two_products() -> None:
    # Given one product id under two accounts, and under two marketplaces
    main = product_key("wildberries", "wb-main", BACKPACK)
    outlet = product_key("wildberries", "wb-outlet", BACKPACK)
    ozon = product_key("ozon", "wb-main", BACKPACK)
    # Then each is compared on its own
    assert len({main, outlet, ozon}) == 3


def test_the_product_name_does_not_change_the_key() -> None:
    # Given the same product renamed
    renamed = ProductRef(id="p-1", name="Рюкзак городской, чёрный")
    # Then its replies are still compared with the earlier ones
    assert product_key("wildberries", "wb-main", renamed) == product_key("wildberries", "wb-main", BACKPACK)
    assert product_key("wildberries", "wb-main", ProductRef(id="p-2")) != product_key(
        "wildberries", "wb-main", BACKPACK
    )


def test_a_reply_is_compared_with_the_others_newest_first_but_never_with_itself() -> None:
    # Given the product's recent replies, newest first
    recent = [
        RecentReply(reply_id="rp_3", text="Третий ответ"),
        RecentReply(reply_id="rp_2", text="Второй ответ"),
        RecentReply(reply_id="rp_1", text="Первый ответ"),
    ]
    # When the texts a reply rp_2 must not repeat are asked for
    # Then they are the others, in the same order
    assert others(recent, "rp_2") == ("Третий ответ", "Первый ответ")
    # And a new reply (no id yet, or one not among them) must not repeat any of them
    assert others(recent) == ("Третий ответ", "Второй ответ", "Первый ответ")
    assert others(recent, "rp_9") == ("Третий ответ", "Второй ответ", "Первый ответ")


def test_no_recent_replies_leave_nothing_to_repeat() -> None:
    # Given a product nobody has replied on yet
    # Then a reply there repeats nothing
    assert others([], "rp_1") == ()
