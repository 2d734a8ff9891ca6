"""`make lexicon` for topics: hand-written cues expanded to every form, every bad line refused, and the
shipped tables exactly what the build makes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from otklik.domain.topics.detection import TopicDetector
from otklik.domain.topics.table import ENGINE_CLASSES, parse_table, table_name
from otklik.entrypoints import build_topics
from otklik.entrypoints.build_lexicon import LexiconSourceError
from otklik.entrypoints.build_topics import SOURCE_DIR, EnglishForms, RussianForms, build_table

CLASSES = "verdict\tхороший\nmood\tспасибо\nexist\tбыть\nfiller\tвесь\nfunction\tя\n"


@pytest.fixture(scope="module")
def russian() -> RussianForms:
    return RussianForms()


def sources(directory: Path, cues: str, classes: str = CLASSES, lang: str = "ru") -> Path:
    """A source directory with these two files, as written by hand (tabs and all)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{lang}_classes.tsv").write_text(classes, "utf-8")
    (directory / f"{lang}_cues.tsv").write_text(cues, "utf-8")
    return directory


# ------------------------------------------------------------------ what the build gives


def test_a_cue_word_is_found_in_every_form_the_morphology_knows(
    tmp_path: Path, russian: RussianForms
) -> None:
    # Given one cue written as its lemma
    table = parse_table(build_table(sources(tmp_path, "size_fit\tмаломерить\t-\t+\n"), "ru", russian))

    # Then its forms all lead to it
    for form in ("маломерит", "маломерят", "маломерила", "маломерили"):
        assert table.lemma_of[form] == "маломерить"
    assert [(c.topic, c.pattern, c.polarity, c.absent) for c in table.cues] == [
        ("size_fit", "маломерить", "-", "+")
    ]


def test_phrase_words_are_lemmatized_and_classes_kept(tmp_path: Path, russian: RussianForms) -> None:
    cues = "delivery\tпункт выдачи\t=\ndelivery\t@arrive & быстро\t=\n"
    classes = CLASSES + "arrive\tприйти доставить\n"

    table = parse_table(build_table(sources(tmp_path, cues, classes), "ru", russian))

    assert {c.pattern for c in table.cues} == {"пункт выдача", "@arrive & быстро"}
    assert table.lemma_of["пришла"] == "прийти"
    assert "@arrive" in table.classes_of["доставить"]


def test_forms_can_be_added_and_left_out(tmp_path: Path, russian: RussianForms) -> None:
    # Given a slang word spelt with its forms, and a size word without its comparative
    cues = "delivery\tпвз|пвзшка\t=\nsize_fit\tбольшой!больше!побольше\t=\n"

    table = parse_table(build_table(sources(tmp_path, cues), "ru", russian))

    assert table.lemma_of["пвзшка"] == "пвз"
    assert table.lemma_of["большая"] == "большой"
    assert "больше" not in table.lemma_of


def test_english_gets_its_regular_forms_and_the_spelt_irregular_ones(tmp_path: Path) -> None:
    cues = "quality\tbreak|broke\t-\nsize_fit\tfit\t=\n"

    table = parse_table(build_table(sources(tmp_path, cues, lang="en"), "en", EnglishForms()))

    assert {table.lemma_of[f] for f in ("breaks", "breaking", "broke")} == {"break"}
    assert table.lemma_of["fits"] == "fit"


def test_yo_is_read_as_ye(tmp_path: Path, russian: RussianForms) -> None:
    table = parse_table(build_table(sources(tmp_path, "packaging\tплёнка\t=+\n"), "ru", russian))

    assert table.lemma_of["пленку"] == "пленка"


def test_the_table_does_not_depend_on_the_order_of_source_lines(
    tmp_path: Path, russian: RussianForms
) -> None:
    one = build_table(sources(tmp_path / "a", "smell\tзапах\t=-\t+\nsmell\tвонять\t-\t+\n"), "ru", russian)
    two = build_table(sources(tmp_path / "b", "smell\tвонять\t-\t+\nsmell\tзапах\t=-\t+\n"), "ru", russian)

    assert one == two


# ------------------------------------------------------------------ what the build refuses


@pytest.mark.parametrize(
    ("cues", "classes", "message"),
    [
        (
            "delivery\tдоставка\n",
            CLASSES,
            "ru_cues.tsv:1: expected topic, cue, polarity and optionally absent",
        ),
        ("deliverry\tдоставка\t=\n", CLASSES, "ru_cues.tsv:1: unknown topic 'deliverry'"),
        ("delivery\tдоставка\t?\n", CLASSES, "ru_cues.tsv:1: polarity '?' is not one of"),
        ("delivery\tдоставка\t=\t*\n", CLASSES, "ru_cues.tsv:1: absent polarity '*' is not one of - + 0"),
        ("delivery\t@courier & быстро\t=\n", CLASSES, "ru_cues.tsv:1: unknown class '@courier'"),
        ("delivery\tдо$тавка\t=\n", CLASSES, "ru_cues.tsv:1: 'до$тавка' is not a word"),
        ("price_value\t#num рублей\t=\n", CLASSES, "ru_cues.tsv:1: a cue cannot begin with #num"),
        (
            "*\tтонкий ткань\t-\n",
            CLASSES,
            "ru_cues.tsv:1: an evaluative word is one word with polarity - or +",
        ),
        ("*\tплохой\t-\n", CLASSES, "ru_cues.tsv:1: 'плохой' is evaluative in the tonality lexicon already"),
        (
            "smell\tзапах\t=\nsmell\tзапахи\t=-\n",
            CLASSES,
            "ru_cues.tsv:2: cue 'запах' is already at ru_cues.tsv:1",
        ),
        ("delivery\tдоставка\t=\n", "verdict\tхороший\n", "ru_classes.tsv: the detector needs class 'mood'"),
        ("delivery\tдоставка\t=\n", CLASSES + "Arrive\tприйти\n", "ru_classes.tsv:6: class name 'Arrive'"),
        (
            "delivery\tдоставка\t=\n",
            CLASSES + "arrive\tприйти прийти\n",
            "ru_classes.tsv:6: 'прийти' is already",
        ),
    ],
)
def test_a_bad_source_line_is_refused_naming_file_line_and_why(
    tmp_path: Path, russian: RussianForms, cues: str, classes: str, message: str
) -> None:
    with pytest.raises(LexiconSourceError, match=f"^{re.escape(message)}"):
        build_table(sources(tmp_path, cues, classes), "ru", russian)


# ------------------------------------------------------------------ the shipped tables


def test_the_shipped_tables_are_what_make_lexicon_builds(capsys: pytest.CaptureFixture[str]) -> None:
    code = build_topics.main(["--check"])

    assert code == 0, capsys.readouterr().err


def test_check_fails_until_the_tables_are_built_and_passes_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given sources for both languages with no generated tables beside them
    sources(tmp_path, "smell\tзапах\t=-\t+\n")
    sources(
        tmp_path,
        "smell\tsmell\t=-\t+\n",
        "verdict\tgood\nmood\tthanks\nexist\tbe\nfiller\tvery\nfunction\ti\n",
        "en",
    )
    monkeypatch.setattr(build_topics, "SOURCE_DIR", tmp_path)

    # Then the check fails and says what to run
    assert build_topics.main(["--check"]) == 1
    assert "run `make lexicon`" in capsys.readouterr().err

    # When the tables are built, Then the check passes
    assert build_topics.main([]) == 0
    assert (tmp_path / table_name("ru")).is_file() and (tmp_path / table_name("en")).is_file()
    assert build_topics.main(["--check"]) == 0

    # And When a source changes, Then the check fails again
    (tmp_path / "ru_cues.tsv").write_text("smell\tзапах\t=\t+\n", "utf-8")
    assert build_topics.main(["--check"]) == 1


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_each_shipped_table_has_what_the_detector_asks_for(lang: str) -> None:
    table = parse_table((SOURCE_DIR / table_name(lang)).read_text("utf-8"))

    for name in ENGINE_CLASSES:
        assert table.members(name), f"{lang}: class {name} is empty"
    assert {cue.topic for cue in table.cues} >= {"quality", "size_fit", "delivery", "smell", "counterfeit"}
    TopicDetector(table, lang)  # builds without error
