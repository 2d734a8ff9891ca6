"""Word forms from a lemma and its declension: the few paradigms moderation's and names' word lists need.

Our lists are short and hand-written, so they are declined here rather than by a morphology library
at run time: each entry names its nominative, the stem its other forms are built on (when the vowel
drops or the stem changes: придурок -> придурк-а) and its paradigm.
"""

from __future__ import annotations

from collections.abc import Iterable

# Endings after the stem, nominative first. Plurals are included: "вы идиоты", "курьеры уроды".
PARADIGMS: dict[str, tuple[str, ...]] = {
    # masculine, hard stem: идиот, курьер
    "m": ("", "а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах"),
    # masculine, stem on к г х ж ш ч щ: мудак, сотрудник (plural in -и)
    "mk": ("", "а", "у", "ом", "е", "и", "ов", "ам", "ами", "ах"),
    # masculine on ц: продавец -> продавц-а (plural in -ы)
    "mc": ("", "а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах"),
    # masculine, soft stem: водитель, покупатель
    "ms": ("ь", "я", "ю", "ем", "е", "и", "ей", "ям", "ями", "ях"),
    # masculine on -й: Андрей, Сергей
    "mj": ("й", "я", "ю", "ем", "е"),
    # masculine on -ий: Дмитрий, Юрий
    "mij": ("ий", "ия", "ию", "ием", "ии"),
    # feminine (or masculine) on -а, hard stem: дура, скотина, Никита
    "fa": ("а", "ы", "е", "у", "ой", "ою", "", "ам", "ами", "ах"),
    # on -а after к г х ж ш ч щ: шлюха, девушка, Ольга (genitive in -и)
    "fk": ("а", "и", "е", "у", "ой", "ою", "ам", "ами", "ах"),
    # on -а after ц: тупица, продавщица
    "fc": ("а", "ы", "е", "у", "ей", "ею", "", "ам", "ами", "ах"),
    # on -я: Таня, Ваня
    "fja": ("я", "и", "е", "ю", "ей", "ею"),
    # on -ия: Мария, Юлия
    "fija": ("ия", "ии", "ию", "ией", "иею"),
    # on -ья: Дарья, Илья
    "fjja": ("ья", "ьи", "ье", "ью", "ьей", "ьею"),
    # feminine, soft stem: мразь, тварь
    "fs": ("ь", "и", "ью", "ей", "ям", "ями", "ях"),
    # neuter: быдло, ничтожество
    "n": ("о", "а", "у", "ом", "е"),
    # neuter on -ие: вознаграждение
    "nie": ("ие", "ия", "ию", "ием", "ии"),
    # adjective, hard stem, unstressed: безмозглый
    "adj": ("ый", "ая", "ое", "ые", "ого", "ому", "ым", "ом", "ую", "ой", "ых", "ыми", "ою", "", "а", "ы"),
    # adjective, hard stem, stressed ending: тупой
    "adjo": ("ой", "ая", "ое", "ые", "ого", "ому", "ым", "ом", "ую", "ых", "ыми", "ою", "", "а", "ы"),
    # adjective, stem on к г х: криворукий, убогий
    "adjk": ("ий", "ая", "ое", "ие", "ого", "ому", "им", "ом", "ую", "ой", "их", "ими", "ою", "", "а", "и"),
    # a word that does not change: чмо
    "-": ("",),
}


def decline(stem: str, paradigm: str) -> list[str]:
    """Every form of a word from its stem and paradigm."""
    return [stem + ending for ending in PARADIGMS[paradigm]]


def expand(entries: Iterable[str]) -> dict[str, str]:
    """Forms -> lemma, for entries written "lemma paradigm" or "lemma stem paradigm".

    The stem may be left out when the lemma is the stem plus the paradigm's first ending (идиот m,
    дура fa, мразь fs); a fleeting vowel or changed stem is written out (придурок придурк mk).
    """
    forms: dict[str, str] = {}
    for entry in entries:
        parts = entry.split()
        lemma, paradigm = parts[0], parts[-1]
        if len(parts) == 3:
            stem = parts[1]
        else:
            first = PARADIGMS[paradigm][0]
            if not lemma.endswith(first):
                raise ValueError(f"{entry!r}: {lemma!r} does not end in {first!r}; write its stem")
            stem = lemma[: len(lemma) - len(first)] if first else lemma
        declined = decline(stem, paradigm)
        if len(parts) == 3 and not PARADIGMS[paradigm][0]:
            declined = declined[1:]  # the lemma is the nominative, not the bare stem (придурок, not придурк)
        for form in declined:
            if form:
                forms.setdefault(form, lemma)
        forms[lemma] = lemma
    return forms
