"""People's names in feedback text: where they are, so that pii.mask_pii can mask them.

A name is found by what it is and where it stands:
- a first name from our own list of common Russian and CIS names, with their diminutives (Анна, Аня,
  Анечка, Анюта) in every case (Анны, Ане, Анечкой), capitalised or not;
- a first name that is also an ordinary word (Вера, Надежда, Любовь, Роман, Лев, Слава, Роза, Лилия,
  Марина, Алиса, Мир...) only in a name's context: capitalised, and after a greeting, a thank-you, an
  introduction or a role ("Здравствуйте, Вера", "спасибо, Надежда", "меня зовут Роман", "курьер
  Слава", "дочка Лилия"), or beside another part of a name ("Вера Петровна", "Роман Иванов"); so
  "Надежда умирает последней", "Роман Толстого", "карта Мир" and "розы и лилии" stay;
- a word after "меня зовут", "с уважением," or a greeting that is capitalised and is not a title
  ("Здравствуйте, Эльвира!"), even when it is not in the list;
- a patronymic (Ивановна, Петровичу), a surname beside a first name or patronymic (Анна Петрова,
  Петровой Анне), initials (А. В. Петрова, Петрова А.В.);
- the author's own names, given by the caller: each part in its forms (Анна: Анны, Анне; Петрова:
  Петровой), wherever it stands capitalised; a first name we know also with its diminutives.
Parts of one name that stand together are one span: "Анна Петрова" becomes one [name].
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from types import MappingProxyType


def _listed(words: str) -> list[str]:
    """The words of a block of text, one list: long word lists read as prose."""
    return words.split()


# One group a line: a name, then the names it goes by. Declined by _forms below; a stem that changes
# is written after "/" (Павел/Павл: Павла, Павлу).
_GROUPS = """
Александр Саша Сашенька Шура Саня Санёк Алекс
Александра Саша Сашенька Шура Саня
Алексей Лёша Алёша Лёшенька Лёха
Анатолий Толя Толик
Андрей Андрюша Андрюха
Антон Антоша
Аркадий Аркаша
Арсений Арсюша Сеня
Артём Тёма Артёмка
Артур
Богдан
Борис Боря
Вадим Вадик
Валентин Валя
Валерий Валера
Василий Вася
Виктор Витя Витёк
Виталий Виталик
Владимир Вова Володя Вовочка
Владислав Влад Владик Слава
Всеволод Сева
Вячеслав Слава Славик
Геннадий Гена
Георгий Гоша Жора
Герман
Глеб
Григорий Гриша
Давид
Даниил Даня Данила
Денис Дениска
Дмитрий Дима Димка Димон Митя
Евгений Женя
Егор Егорка
Елисей
Захар
Иван Ваня Ванечка Ванька
Игнат
Игорь Игорёк
Илья Илюша
Кирилл Кирюша
Константин Костя
Лев/Льв Лёва
Леонид Лёня
Макар
Максим Макс
Марат
Марк
Матвей Мотя
Мирон
Михаил Миша Мишаня Мишка
Назар
Никита Никитка
Николай Коля Колян
Олег Олежка
Павел/Павл Паша Павлик
Пётр Петя
Платон
Прохор
Родион Родя
Роман Рома Ромка
Ростислав Ростик
Руслан
Савелий Савва
Святослав Свят
Семён Сёма
Сергей Серёжа Серёга
Станислав Стас
Степан Стёпа
Тимофей Тима Тимоша
Тимур
Тихон
Фёдор Федя
Филипп
Эдуард Эдик
Эрик
Юрий Юра
Яков Яша
Ярослав Ярик
Анна Аня Анечка Анюта Анька Нюра Нюша
Алина
Алиса
Алла
Алёна Алёнушка
Альбина
Анастасия Настя Настенька Настюша
Ангелина
Антонина Тоня
Анжелика Анжела
Валентина Валя
Валерия Лера Лерочка
Варвара Варя
Василиса
Вера Верочка
Вероника Ника
Виктория Вика
Галина Галя
Дарья Даша Дашенька
Диана
Евгения Женя
Екатерина Катя Катенька Катюша
Елена Лена Леночка
Елизавета Лиза Лизонька
Жанна
Зинаида Зина
Злата
Зоя
Инна
Ирина Ира Ирочка Ириша
Камилла
Карина
Кира
Кристина
Ксения Ксюша
Лариса Лара
Лидия Лида
Лилия Лиля
Любовь Люба Любочка
Людмила Люда Люся
Майя
Маргарита Рита
Марина
Мария Маша Машенька Маруся Мариша
Милана
Мирослава
Надежда Надя Наденька
Наталья Наталия Наташа Наташенька
Нина
Оксана
Олеся
Ольга Оля Оленька
Полина Поля
Раиса Рая
Регина
Светлана Света Светочка
Снежана
София Софья Соня
Стефания
Таисия Тая
Тамара Тома
Татьяна Таня Танечка Танюша
Ульяна Уля
Эвелина
Эльвира
Эмилия
Юлия Юля Юленька
Яна
Ярослава
Азамат
Айдар
Алишер
Анвар
Арман
Арсен
Асхат
Ахмед
Ашот
Бахтиёр Бахтияр
Бекзод
Вахтанг
Гасан
Гиорги
Данияр
Джамшид
Ержан
Жасур
Зураб
Ильдар
Ильнур
Ильяс
Ислам
Камиль
Карен
Мурат
Нурлан
Нурсултан
Рамиль
Ренат
Ринат
Рустам
Рустем
Самвел
Санжар
Тагир
Улугбек
Фарид
Фаррух
Хасан
Шамиль
Шахзод
Эльдар
Эмиль
Айгерим
Айгуль
Айжан
Алия
Асель
Гаяне
Гульнара
Гульшат
Гузель
Дильноза
Динара
Жамиля
Зарина
Земфира
Зульфия
Камила
Лейла Лейля
Лиана
Луиза
Мадина
Малика
Мариам
Наргиза
Нигора
Нино
Роза
Рузанна
Сабина
Фатима
Феруза
Шахноза
Эльмира
"""

# Feminine names on -ь (Любовь, Любови, Любовью); other names on -ь are masculine (Игорь, Игоря).
_FEMININE_SOFT = frozenset({"любовь", "айгуль", "асель"})
# Names that do not change: Нино, Гаяне.
_INDECLINABLE_ENDINGS = ("о", "е", "и", "у", "ю", "э")

# Names that are also ordinary words, in every form (вера, надежда, любовь, роман, лев, слава, роза,
# лилия, мир...), or in some of their forms (Кости: кости; Поля: поля; Тёма: тема). Each checked
# against the word forms of pymorphy3's dictionary: docs/moderation.md#names.
_ORDINARY = frozenset(
    {
        "вера",
        "надежда",
        "любовь",
        "люба",
        "роман",
        "лев",
        "слава",
        "роза",
        "лилия",
        "марина",
        "алиса",
        "маргарита",
        "виктория",
        "лиана",
        "маруся",
        "поля",
        "тома",
        "рома",
        "соня",
        "мишка",
        "ислам",
        "макс",
        "марк",
        "рая",
        "тая",
        "свят",
        "лева",  # Лёва: левой, левы
        "тема",  # Тёма: тему, темы
        "света",  # Света: свету, света
        "уля",  # Уля: улей
        "толик",  # толика
    }
)
_ORDINARY_FORMS = frozenset(
    {
        # forms of names that are forms of other words
        "кости",  # Костя
        "костей",
        "сани",  # Саня
        "гены",  # Гена
        "саше",  # Саша: саше (a sachet)
        "пашу",  # Паша: пашу (I plough)
        "варю",  # Варя: варю, вари (cook)
        "вари",
        "варя",
        "роде",  # Родя: в таком роде
        "роди",
        "семена",  # Семён: семена (seeds), and "семен" as people write семян
        "семен",
        "лени",  # Лёня: лени (laziness)
        "леней",
        "колю",  # Коля: колю, колей (колоть, колея)
        "колей",
        "кати",  # Катя: кати (катить)
        "коли",  # Коля: коли (колоть)
        "вали",  # Валя: вали (валить)
        "тони",  # Тоня: тони (тонуть)
        "толи",  # Толя: "толи" as people write "то ли"
        "сене",  # Сеня: сене (сено)
        "жене",  # Женя: жене (жена)
        "жени",
    }
)
# Words a greeting or "меня зовут" may be followed by that are not names.
_NOT_NAMES = frozenset(
    {
        "уважаемый",
        "уважаемая",
        "уважаемые",
        "дорогой",
        "дорогая",
        "дорогие",
        "продавец",
        "продавцы",
        "покупатель",
        "покупатели",
        "магазин",
        "команда",
        "коллеги",
        "друзья",
        "все",
        "всем",
        "менеджер",
        "поддержка",
        "администрация",
        "господа",
        "ребята",
        "девушки",
        "девочки",
        "люди",
        "спасибо",
        "благодарю",
        "вайлдберриз",
        "валдберис",
        "вайлдбериз",
        "озон",
        "маркет",
        "пожалуйста",
        "помогите",
        "подскажите",
        "скажите",
        "извините",
        "я",
        "мы",
        "вы",
        "снова",
        "опять",
        "очень",
        "ещё",
        "еще",
    }
)

# What comes before a name: a greeting, a thank-you, an introduction, a role or a family word.
_BEFORE_NAME = frozenset(
    _listed(
        """
        здравствуйте здравствуй привет приветствую уважением зовут звать спасибо благодарю благодарность
        уважаемая уважаемый уважаемой уважаемому дорогая дорогой милая продавец продавцу продавца
        продавщица продавщице курьер курьеру курьера курьером менеджер менеджеру менеджера оператор
        оператору оператора консультант консультанту консультанта сотрудник сотруднику сотрудница
        сотруднице мастер мастеру мастера девушка девушке девушку администратор администратору директор
        директору доставщик доставщику водитель водителю кассир кассиру специалист специалисту муж мужа
        мужу жена жене сын сына сыну дочь дочка дочке дочери мама маме папа папе подруга подруге подруги
        друг друга другу бабушка бабушке дедушка дедушке внук внуку внучка внучке сестра сестре брат брату
        ребенок
        """
    )
)
# What follows a name called out at a sentence's start: "Вера, спасибо", "Слава, вы лучший".
_VOCATIVE_NEXT = frozenset(
    {"спасибо", "здравствуйте", "добрый", "благодарю", "вы", "ты", "вам", "тебе", "подскажите", "скажите"}
    | {"пожалуйста", "извините", "помогите", "ответьте"}
)
# Strong introductions: what follows them is a name even when we do not know it.
_INTRODUCTIONS = frozenset({"зовут", "уважением", "здравствуйте", "здравствуй", "привет", "приветствую"})
# Words that may stand between the introduction and the name: "спасибо вам большое, Вера".
_BETWEEN = frozenset({"вам", "тебе", "большое", "огромное", "еще", "ещё", "раз", "меня"})


def _declined(stems: tuple[str, ...], endings: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(stem + ending for stem in stems for ending in endings)


# Patronymics: Иванович, Петровичу, Ивановна, Сергеевной; a name part by themselves.
_PATRONYMIC = _declined(("ович", "евич"), ("", "а", "у", "ем", "е")) + _declined(
    ("овн", "евн"), ("а", "ы", "е", "у", "ой", "ою")
)
# Patronymics of other shapes (Ильич, Ильинична, Кузьминична) and -ична: only beside a first name,
# since "Практична в использовании" and "Типична" open sentences too.
_PATRONYMIC_BESIDE_NAME = _declined(("ич",), ("", "а", "у", "ем", "е")) + _declined(
    ("ичн",), ("а", "ы", "е", "у", "ой")
)
# Ordinary words of a patronymic's shape (виновна, условна): not names by themselves.
_PATRONYMIC_WORDS = frozenset(
    {"виновна", "невиновна", "условна", "безусловна", "духовна", "греховна", "любовна", "церковна"}
)
_SURNAME_ENDINGS = tuple(
    stem + ending
    for stem, endings in (
        ("ов", ("", "а", "у", "ым", "ой", "е", "ы", "ых")),
        ("ев", ("", "а", "у", "ым", "ой", "е", "ы", "ых")),
        ("ин", ("", "а", "у", "ым", "ой", "е", "ы", "ых")),
        ("ын", ("", "а", "у", "ым", "ой", "е", "ы", "ых")),
        ("ск", ("ий", "ая", "ого", "ому", "им", "ом", "ую", "ой")),
        ("цк", ("ий", "ая", "ого", "ому", "им", "ом", "ую", "ой")),
        ("енко", ("",)),
        ("чук", ("",)),
        ("юк", ("",)),
        ("ук", ("",)),
        ("ян", ("", "а", "у", "ом")),
        ("дзе", ("",)),
        ("швили", ("",)),
        ("ич", ("", "а", "у", "ем")),
        ("ых", ("",)),
        ("их", ("",)),
    )
    for ending in endings
)
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")
_INITIAL = re.compile(r"[А-ЯЁA-Z]\.")
# Author names that are no one's name: what marketplaces show when a buyer hides theirs.
_NOBODY = frozenset(
    {"покупатель", "пользователь", "клиент", "гость", "аноним", "анонимно", "скрыл", "данные", "имя"}
    | {"user", "customer", "buyer", "guest", "anonymous"}
)


def _fold(word: str) -> str:
    return word.lower().replace("ё", "е")


def _endings(name: str) -> tuple[str, tuple[str, ...]]:
    """(stem, endings) of a name's singular forms."""
    if name.endswith("ия"):
        return name[:-2], ("ия", "ии", "ию", "ией", "иею")
    if name.endswith("ья"):
        return name[:-2], ("ья", "ьи", "ье", "ью", "ьей", "ьею")
    if name.endswith("я"):
        return name[:-1], ("я", "и", "е", "ю", "ей", "ею")
    if name.endswith("а"):
        after_velar = name[-2:-1] in ("к", "г", "х", "ж", "ш", "ч", "щ")
        return name[:-1], ("а", "и" if after_velar else "ы", "е", "у", "ой", "ою")
    if name.endswith("ий"):
        return name[:-2], ("ий", "ия", "ию", "ием", "ии")
    if name.endswith("й"):
        return name[:-1], ("й", "я", "ю", "ем", "е")
    if name.endswith("ь"):
        if name in _FEMININE_SOFT:
            return name[:-1], ("ь", "и", "ью")
        return name[:-1], ("ь", "я", "ю", "ем", "е")
    if name.endswith(_INDECLINABLE_ENDINGS):
        return name, ("",)
    return name, ("", "а", "у", "ом", "е")


def _forms(entry: str) -> list[str]:
    name, _, stem = entry.partition("/")
    name = _fold(name)
    base, endings = _endings(name)
    forms = [name] + [base + ending for ending in endings]
    if stem:
        forms += [_fold(stem) + ending for ending in ("а", "у", "ом", "е")]
    return list(dict.fromkeys(forms))


def _build() -> tuple[dict[str, frozenset[int]], list[tuple[str, ...]]]:
    groups: list[tuple[str, ...]] = []
    group_of: dict[str, set[int]] = {}
    for line in _GROUPS.strip().splitlines():
        entries = line.split()
        forms = tuple(form for entry in entries for form in _forms(entry))
        number = len(groups)
        groups.append(forms)
        for form in forms:
            group_of.setdefault(form, set()).add(number)
    return {form: frozenset(numbers) for form, numbers in group_of.items()}, groups


_GROUP_OF, _GROUP_FORMS = _build()
NAME_FORMS = MappingProxyType(_GROUP_OF)
_ORDINARY_ALL = _ORDINARY_FORMS | frozenset(
    form
    for line in _GROUPS.strip().splitlines()
    for entry in line.split()
    if _fold(entry.partition("/")[0]) in _ORDINARY
    for form in _forms(entry)
)


def is_ordinary_word(form: str) -> bool:
    """Whether a name's form (folded) is also an ordinary word, so it is a name only in a name's context."""
    return form in _ORDINARY_ALL


def _is_capitalised(word: str) -> bool:
    return word[0].isupper()


@cache
def _author_matchers(names: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """(exact forms, stems) of the author's name parts: a word matches a form, or a stem plus at most
    three letters of an ending (Петрова: Петровой)."""
    exact: set[str] = set()
    stems: list[str] = []
    for name in names[:5]:
        for part in _WORD.findall(name[:200])[:6]:
            folded = _fold(part)
            if len(folded) < 2 or folded in _NOBODY:
                continue
            groups = _GROUP_OF.get(folded)
            if groups:
                for number in groups:
                    exact.update(_GROUP_FORMS[number])
                continue
            exact.add(folded)
            if len(folded) >= 4:
                stems.append(folded[:-1] if folded[-1] in "аяоеыийь" else folded)
    return frozenset(exact), tuple(stems)


def _is_author(folded: str, exact: frozenset[str], stems: tuple[str, ...]) -> bool:
    if folded in exact:
        return True
    return any(folded.startswith(stem) and len(folded) - len(stem) <= 3 for stem in stems)


_CERTAIN_FORMS = frozenset(form for form in _GROUP_OF if form not in _ORDINARY_ALL)
# A capitalised patronymic, or two initials: the name parts that need no first name beside them.
_PATRONYMIC_OR_INITIALS = re.compile(r"[А-ЯЁ](?:\. ?[А-ЯЁ]\.|[а-яё]+(?:ович|евич|овн|евн))")
_LETTERS = re.compile(r"[^\W\d_]+")


def _may_hold_names(text: str) -> bool:
    """A quick look first: most feedback names nobody, and this is what every masked text pays.

    A text may hold a name when one of its words is a name we know (one that is also an ordinary
    word only when capitalised), it has an introduction (меня зовут, здравствуйте), or a capitalised
    patronymic or two initials.
    """
    folded = _fold(text)
    found = set(_LETTERS.findall(folded))
    if not _CERTAIN_FORMS.isdisjoint(found) or not _INTRODUCTIONS.isdisjoint(found):
        return True
    ordinary = _ORDINARY_ALL.intersection(found)
    if ordinary:
        capitalised = text.replace("ё", "е").replace("Ё", "Е")
        if any(form.capitalize() in capitalised for form in ordinary):
            return True
    return _PATRONYMIC_OR_INITIALS.search(text) is not None


def name_spans(text: str, *, names: Iterable[str] = ()) -> list[tuple[int, int]]:
    """The (start, end) of each name in text, neighbouring parts of one name joined, in text order."""
    if not names and not _may_hold_names(text):
        return []
    words = [(match.start(), match.end(), match.group()) for match in _WORD.finditer(text)]
    if not words:
        return []
    author = _author_matchers(tuple(names)) if names else (frozenset(), ())
    folded = [_fold(word) for _, _, word in words]
    count = len(words)
    # What each word is: 0 nothing; 1 a name; 2 a name if its context says so; 3 a name part that
    # needs a name beside it (a surname, a patronymic of -ич, -ична).
    kind = [0] * count
    for index, (_, _, word) in enumerate(words):
        form = folded[index]
        capital = _is_capitalised(word)
        if (author[0] or author[1]) and capital and _is_author(form, *author):
            kind[index] = 1
            continue
        if form in _GROUP_OF:
            if form in _ORDINARY_ALL:
                kind[index] = 2 if capital else 0
            else:
                kind[index] = 1
        elif capital and len(form) > 3:
            if form.endswith(_PATRONYMIC):
                kind[index] = 3 if form in _PATRONYMIC_WORDS else 1
            elif form.endswith(_SURNAME_ENDINGS) or form.endswith(_PATRONYMIC_BESIDE_NAME):
                kind[index] = 3
    # Context: a word after an introduction or a role, or beside a certain name part.
    named = [False] * count
    for index in range(count):
        if (
            kind[index] == 1
            or (kind[index] == 2 and _after_cue(text, words, folded, index, _BEFORE_NAME))
            or (
                kind[index] == 0
                and _is_capitalised(words[index][2])
                and _unknown_name(text, words, folded, index)
            )
        ):
            named[index] = True
        elif kind[index] == 3 and _has_full_initials(text, *words[index][:2]):
            named[index] = True  # Петрова А.В., А. В. Петрова
    # Parts beside a name: a surname or patronymic beside a name; an ordinary-word name beside a
    # surname or patronymic (Вера Петровна, Роман Иванов). Two passes reach both neighbours.
    for _ in range(2):
        for index in range(count):
            if named[index] or kind[index] not in (2, 3):
                continue
            for other in (index - 1, index + 1):
                beside = 0 <= other < count and _adjacent(text, words, min(index, other))
                if beside and (named[other] or (kind[index] == 2 and kind[other] == 3)):
                    named[index] = True
                    if kind[other] == 3:
                        named[other] = True
    return _joined(text, words, named)


def _adjacent(text: str, words: list[tuple[int, int, str]], first: int) -> bool:
    """Whether words first and first + 1 stand side by side: only spaces (or an initial) between."""
    between = text[words[first][1] : words[first + 1][0]]
    return (len(between) <= 6 and not between.strip(" \u00a0")) or _INITIAL.fullmatch(
        between.strip()
    ) is not None


def _after_cue(
    text: str, words: list[tuple[int, int, str]], folded: list[str], index: int, cues: frozenset[str]
) -> bool:
    """Whether a cue word stands right before the word (a comma allowed, up to two words like "вам"
    between), or a greeting right after it ("Вера, спасибо")."""
    position = index - 1
    skipped = 0
    while position >= 0:
        between = text[words[position][1] : words[position + 1][0]]
        if any(mark in between for mark in ".!?\n"):
            break
        if folded[position] in cues:
            return True
        if folded[position] == "день" and position > 0 and folded[position - 1] in ("добрый", "доброго"):
            return True
        if folded[position] not in _BETWEEN or skipped == 2:
            break
        skipped += 1
        position -= 1
    after = index + 1
    if after < len(words):
        between = text[words[index][1] : words[after][0]]
        if between.strip() == "," and folded[after] in _VOCATIVE_NEXT:
            return True
    return False


def _unknown_name(text: str, words: list[tuple[int, int, str]], folded: list[str], index: int) -> bool:
    """A capitalised word we do not know, right after "меня зовут", "с уважением," or a greeting."""
    word = words[index][2]
    if folded[index] in _NOT_NAMES or not 2 <= len(word) <= 20 or word.isupper():
        return False
    if not all("а" <= char <= "я" or char in "ё-" for char in folded[index]):
        return False
    return _after_cue(text, words, folded, index, _INTRODUCTIONS)


def _joined(text: str, words: list[tuple[int, int, str]], named: list[bool]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for index, (word_start, word_end, _) in enumerate(words):
        if not named[index]:
            continue
        start, end = _with_initials(text, word_start, word_end)
        if spans and index > 0 and named[index - 1] and _adjacent(text, words, index - 1):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


_INITIALS_BEFORE = re.compile(r"(?:[А-ЯЁ]\. ?){1,2}$")
_INITIALS_AFTER = re.compile(r" ?(?:[А-ЯЁ]\. ?)?[А-ЯЁ]\.")
_FULL_INITIALS_BEFORE = re.compile(r"[А-ЯЁ]\. ?[А-ЯЁ]\. ?$")
_FULL_INITIALS_AFTER = re.compile(r" ?[А-ЯЁ]\. ?[А-ЯЁ]\.")


def _has_full_initials(text: str, start: int, end: int) -> bool:
    """Two initials beside a surname (one alone may be a sentence's first letter: "Магазин А. Пришло")."""
    return bool(
        _FULL_INITIALS_BEFORE.search(text, max(0, start - 6), start) or _FULL_INITIALS_AFTER.match(text, end)
    )


def _with_initials(text: str, start: int, end: int) -> tuple[int, int]:
    """The span grown over initials right before or after it: А. В. Петрова, Петрова А.В."""
    before = _INITIALS_BEFORE.search(text, max(0, start - 6), start)
    if before is not None:
        start = before.start()
    after = _INITIALS_AFTER.match(text, end)
    if after is not None and after.end() - end <= 6:
        end = after.end()
    return start, end
