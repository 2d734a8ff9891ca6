"""People's names are masked; ordinary words that are also names stay, unless a name's context says
otherwise; the author's own names are masked in every form. And the figures on our sentence set."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from otklik.domain.person_names import is_ordinary_word, name_spans
from otklik.domain.pii import excerpt, mask_pii

FIXTURE = Path(__file__).parent / "fixtures" / "names.jsonl"
# The figures measured on the fixture (docs/moderation.md#names): a change that lowers recall or masks
# more ordinary words fails here and must be looked at.
MIN_RECALL = 0.93
MAX_WRONGLY_MASKED_WORDS = 2


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Спасибо Анне за помощь", "Спасибо [name] за помощь"),
        ("спасибо ане из поддержки", "спасибо [name] из поддержки"),
        ("Анечка, вы чудо", "[name], вы чудо"),
        ("Курьер Вася опоздал", "Курьер [name] опоздал"),
        ("Меня зовут Эльвира, размер не подошёл", "Меня зовут [name], размер не подошёл"),
        ("С уважением, Ольга Сергеевна", "С уважением, [name]"),
        ("Анна Петрова, спасибо", "[name], спасибо"),
        ("Звонила Петровой Анне", "Звонила [name]"),
        ("Ивановна из пункта выдачи помогла", "[name] из пункта выдачи помогла"),
        ("Петрова А.В. оформила возврат", "[name] оформила возврат"),
        ("Принимала А. В. Петрова", "Принимала [name]"),
        ("Анна П. ответила", "[name] ответила"),
        ("Курьер Бахтиёр помог", "Курьер [name] помог"),
        ("Спасибо, Айгуль!", "Спасибо, [name]!"),
    ],
)
def test_names_are_masked_and_the_parts_of_one_name_are_one_placeholder(text: str, masked: str) -> None:
    assert mask_pii(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Здравствуйте, Вера! Спасибо", "Здравствуйте, [name]! Спасибо"),
        ("Спасибо, Надежда, вы помогли", "Спасибо, [name], вы помогли"),
        ("Меня зовут Роман", "Меня зовут [name]"),
        ("Курьер Слава привёз заказ", "Курьер [name] привёз заказ"),
        ("Дочка Лилия носит каждый день", "Дочка [name] носит каждый день"),
        ("Вера Петровна, спасибо", "[name], спасибо"),
        ("Любовь Ивановна довольна", "[name] довольна"),
        ("Роман Иванов ответил", "[name] ответил"),
        ("Лев Николаевич не одобрил бы", "[name] не одобрил бы"),
        ("Слава, спасибо за помощь!", "[name], спасибо за помощь!"),
    ],
)
def test_names_that_are_also_words_are_masked_in_a_names_context(text: str, masked: str) -> None:
    assert mask_pii(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "Вера в этот бренд пропала",
        "Надежда умирает последней",
        "Любовь к деталям видна",
        "Роман прочитала за два вечера",
        "Лев на упаковке нарисован криво",
        "Слава богу, пришло целым",
        "Роза в горшке пришла с одним бутоном",
        "Оплатила картой Мир",
        "Колонка с Алисой работает",
        "Пицца Маргарита не пропекается",
        "Нет света в комнате",
        "Любой размер малит",
        "Игрушка в виде льва",
        "Гель для душа пахнет химией",
        "Варю в этой кастрюле каждый день",
        "Практична в использовании",
        "Николаев — город, куда доставки нет",
        "Здравствуйте, Уважаемый продавец!",
        "Отличный чехол. Цвет как на фото.",
        "ОТЛИЧНЫЙ ТОВАР, РЕКОМЕНДУЮ",
        "Телефон Самсунг пришёл без зарядки",
    ],
)
def test_ordinary_words_and_capitalised_words_stay(text: str) -> None:
    assert mask_pii(text) == text


def test_which_name_forms_are_also_ordinary_words() -> None:
    # The forms that need a name's context: every form of Вера or Лев, and some forms of others
    assert all(map(is_ordinary_word, ["вера", "веры", "лев", "льва", "любой", "света", "тему", "саше"]))
    assert not any(map(is_ordinary_word, ["анна", "анны", "ивана", "катя", "ольга"]))


def test_the_authors_own_names_are_masked_in_their_forms_and_diminutives() -> None:
    # Given the author's name from the item's fields, and a text that names them several ways
    text = "Анне Петровой пришла посылка, Аня довольна, Анечка тоже. Петрова А. не против."

    # When masked with the author's name
    masked = mask_pii(text, names=["Анна Петрова"])

    # Then every form of each part is masked
    assert masked == "[name] пришла посылка, [name] довольна, [name] тоже. [name] не против."


def test_an_author_name_we_do_not_know_is_masked_by_its_forms_where_it_is_capitalised() -> None:
    # Given a nickname and a surname nobody's list has
    text = "Котик не доволен. Заказ Котику не понравился. Шмидту тоже. котик в доме"

    masked = mask_pii(text, names=["Котик Шмидт"])

    # Then capitalised forms are masked, a lowercase ordinary word is left
    assert masked == "[name] не доволен. Заказ [name] не понравился. [name] тоже. котик в доме"


def test_an_author_name_that_is_an_ordinary_word_is_masked_only_capitalised() -> None:
    assert (
        mask_pii("Вере не понравилось. вера в лучшее", names=["Вера"])
        == "[name] не понравилось. вера в лучшее"
    )


def test_placeholder_author_names_mask_nothing() -> None:
    text = "Покупатель доволен, пользователь тоже"
    assert mask_pii(text, names=["Покупатель", "Пользователь скрыл данные"]) == text


def test_an_excerpt_masks_the_authors_name_too() -> None:
    assert excerpt("Меня зовут Ирина.\nТовар брак", names=["Ирина"]) == "Меня зовут [name]. Товар брак"


def _marked(line: str) -> tuple[str, list[tuple[int, int]]]:
    """The fixture's text without its {braces}, and the span of each braced name."""
    text, gold = "", []
    for part in re.split(r"(\{[^}]*\})", json.loads(line)["text"]):
        if part.startswith("{"):
            gold.append((len(text), len(text) + len(part) - 2))
            text += part[1:-1]
        else:
            text += part
    return text, gold


def test_name_masking_on_our_sentence_set_keeps_its_measured_recall_and_wrong_masks() -> None:
    # Given our hand-written sentences, names in braces, many with capitalised ordinary words and
    # names that are words used as words
    lines = FIXTURE.read_text("utf-8").splitlines()
    names = masked = wrongly_masked_words = 0

    # When each is masked
    for line in lines:
        text, gold = _marked(line)
        found = name_spans(text)
        names += len(gold)
        masked += sum(any(start < end_ and start_ < end for start_, end_ in found) for start, end in gold)
        wrongly_masked_words += sum(
            len(text[start:end].split())
            for start, end in found
            if not any(start < end_ and start_ < end for start_, end_ in gold)
        )

    # Then recall and wrong masks stay where they were measured
    recall = masked / names
    print(
        f"\nname masking: {len(lines)} sentences, {names} names, {masked} masked, recall {recall:.3f}, "
        f"ordinary words wrongly masked {wrongly_masked_words}"
    )
    assert len(lines) >= 150
    assert recall >= MIN_RECALL
    assert wrongly_masked_words <= MAX_WRONGLY_MASKED_WORDS
