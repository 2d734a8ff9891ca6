"""The `sla` section of the configuration document: its defaults, the sample, every mistake by its path."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from otklik.domain.config import DEFAULT_CONFIG, ConfigInvalid, parse_config
from otklik.domain.sla import UnknownName
from otklik.domain.sla.settings import NO_SLA_SETTINGS, CalendarSettings, SlaPolicy, SlaSettings, Week
from otklik.domain.yaml_document import load_yaml
from tests.conftest import ROOT

SAMPLE = ROOT / "infra" / "config" / "otklik.yaml"


def refused(document: str) -> list[str]:
    with pytest.raises(ConfigInvalid) as refusal:
        parse_config(document)
    return refusal.value.problems


def test_the_defaults_are_a_moscow_working_week_on_the_russian_calendar() -> None:
    sla = DEFAULT_CONFIG.sla
    (calendar,) = sla.calendars

    assert (calendar.name, calendar.time_zone, calendar.production_calendar) == (
        "default",
        "Europe/Moscow",
        "ru",
    )
    assert calendar.week.days() == (("09:00-18:00",),) * 5 + ((), ())
    assert (sla.default_policy, sla.policy().name, sla.policy().calendar) == (
        "standard",
        "standard",
        "default",
    )
    assert sla.policy().warn_share == 0.8


def test_the_sample_spells_out_every_sla_setting_with_its_default() -> None:
    # Given the sample's own sla section, as written (not as the schema fills it in)
    written = load_yaml(SAMPLE.read_bytes())["sla"]
    (calendar,), (policy,) = written["calendars"], written["policies"]

    # Then every setting of the section, its calendar and its policy is there (a target entry leaves
    # out the kinds and priorities it takes all of)
    assert set(written) == set(SlaSettings.model_fields)
    assert set(calendar) == set(CalendarSettings.model_fields)
    assert set(calendar["week"]) == set(Week.model_fields)
    assert set(policy) == set(SlaPolicy.model_fields)
    # and it is the default
    assert SlaSettings.model_validate(written) == NO_SLA_SETTINGS


def test_a_seller_describes_a_calendar_of_their_own() -> None:
    # Given a Yekaterinburg team with lunch, a short Friday, its own days and a policy over it
    config = parse_config(
        "sla:\n"
        "  default_policy: fast\n"
        "  calendars:\n"
        "    - name: urals\n"
        "      time_zone: Asia/Yekaterinburg\n"
        "      week:\n"
        "        mon: ['09:00-13:00', '14:00-18:00']\n"
        "        fri: ['09:00-16:00']\n"
        "      days_off: [2026-12-30]\n"
        "      working_days: [2026-12-26]\n"
        "  policies:\n"
        "    - name: fast\n"
        "      calendar: urals\n"
        "      targets:\n"
        "        - {priorities: [urgent, high], first_response_hours: 2}\n"
        "        - {first_response_hours: 8, resolution_hours: 40}\n"
        "      escalation:\n"
        "        - {notify: team_lead}\n"
        "        - {notify: head, after_hours: 4}\n"
    )

    calendar = config.sla.calendars[0]
    # Then a weekday left out keeps its default, and the dates are dates
    assert calendar.week.tue == ("09:00-18:00",)
    assert calendar.week.fri == ("09:00-16:00",)
    assert (calendar.days_off, calendar.working_days) == ((date(2026, 12, 30),), (date(2026, 12, 26),))
    business = config.sla.calendar(config.sla.policy().calendar)
    assert business.time_zone == ZoneInfo("Asia/Yekaterinburg")
    assert business.is_working_day(date(2026, 12, 26))  # a Saturday the seller works
    assert not business.is_working_day(date(2026, 12, 30))
    assert [step.notify for step in config.sla.policy().escalation] == ["team_lead", "head"]


def test_asking_for_a_policy_or_calendar_that_is_not_defined_names_the_ones_that_are() -> None:
    with pytest.raises(UnknownName, match="unknown policy 'fast'; policies are standard"):
        DEFAULT_CONFIG.sla.policy("fast")
    with pytest.raises(UnknownName, match="unknown calendar 'msk'; calendars are default"):
        DEFAULT_CONFIG.sla.calendar("msk")


POLICY = "sla:\n  policies:\n    - name: standard\n"


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (
            POLICY + "      calendar: msk\n      targets: [{first_response_hours: 24}]\n",
            "sla.policies[0].calendar: unknown calendar 'msk'; calendars are default",
        ),
        (
            "sla:\n  calendars:\n    - {name: msk}\n",
            "sla.policies[0].calendar: unknown calendar 'default'; calendars are msk",
        ),
        (
            "sla:\n  default_policy: fast\n",
            "sla.default_policy: unknown policy 'fast'; policies are standard",
        ),
        (
            "sla:\n  calendars:\n    - {name: default}\n    - {name: default}\n",
            "sla.calendars[1].name: calendar 'default' is defined twice",
        ),
        (
            POLICY + "      targets: [{first_response_hours: 24}]\n"
            "    - {name: standard, targets: [{first_response_hours: 8}]}\n",
            "sla.policies[1].name: policy 'standard' is defined twice",
        ),
        ("sla:\n  calendars: []\n", "sla.calendars: at least one calendar is needed"),
        ("sla:\n  policies: []\n", "sla.policies: at least one policy is needed"),
        (
            "sla:\n  calendars:\n    - {name: default, time_zone: Europe/Moskow}\n",
            "sla.calendars[0].time_zone: unknown time zone 'Europe/Moskow'; an IANA name, "
            "e.g. Europe/Moscow or Asia/Yekaterinburg",
        ),
        (
            "sla:\n  calendars:\n    - {name: default, week: {mon: ['9-18']}}\n",
            "sla.calendars[0].week.mon[0]: '9-18' is not a period: HH:MM-HH:MM, e.g. 09:00-13:00",
        ),
        (
            "sla:\n  calendars:\n    - {name: default, week: {tue: ['09:00-25:00']}}\n",
            "sla.calendars[0].week.tue[0]: '09:00-25:00': times run from 00:00 to 24:00",
        ),
        (
            "sla:\n  calendars:\n    - {name: default, week: {fri: ['22:00-06:00']}}\n",
            "sla.calendars[0].week.fri[0]: '22:00-06:00' does not end after it starts; a period past "
            "midnight is two, 22:00-24:00 and the next day's 00:00-06:00",
        ),
        (
            "sla:\n  calendars:\n    - {name: default, week: {mon: ['09:00-13:00', '12:00-18:00']}}\n",
            "sla.calendars[0].week.mon: 12:00-18:00 overlaps 09:00-13:00",
        ),
        (
            "sla:\n  calendars:\n    - name: default\n"
            "      week: {mon: [], tue: [], wed: [], thu: [], fri: []}\n",
            "sla.calendars[0].week: no working hours on any day: no deadline would ever come",
        ),
        (
            "sla:\n  calendars:\n    - {name: default, extra_day_hours: []}\n",
            "sla.calendars[0].extra_day_hours: Value should have at least 1 item after validation, not 0",
        ),
        (
            "sla:\n  calendars:\n    - name: default\n"
            "      days_off: [2026-12-26]\n      working_days: [2026-12-27, 2026-12-26]\n",
            "sla.calendars[0].working_days[1]: 2026-12-26 is also in days_off[0]",
        ),
        (
            "sla:\n  calendars:\n    - {name: default, days_off: [2026-02-30]}\n",
            "line 3, column 34: '2026-02-30' is not a date: day is out of range for month",
        ),
        (
            "sla:\n  calendars:\n    - {name: default, production_calendar: by}\n",
            "sla.calendars[0].production_calendar: Input should be 'ru' or 'none'",
        ),
        (
            "sla:\n  calendars:\n    - {name: default, timezone: UTC}\n",
            "sla.calendars[0].timezone: unknown setting",
        ),
        (
            POLICY + "      targets: [{kinds: [review], first_response_hours: 24}]\n",
            "sla.policies[0].targets: no entry takes urgent questions; end the list with an entry "
            "without kinds and priorities to catch the rest",
        ),
        (
            POLICY + "      targets:\n        - {first_response_hours: 24}\n"
            "        - {kinds: [question], first_response_hours: 12}\n",
            "sla.policies[0].targets[1]: never used: targets[0] above it takes every ticket it would "
            "(the first entry that matches applies)",
        ),
        (
            POLICY + "      targets:\n        - {kinds: [question, chat], priorities: [urgent]}\n"
            "        - {kinds: [chat], priorities: [urgent, high]}\n"
            "        - {priorities: [urgent], kinds: [chat]}\n        - {first_response_hours: 24}\n",
            "sla.policies[0].targets[2]: never used: targets[0] above it takes every ticket it would "
            "(the first entry that matches applies)",
        ),
        (POLICY + "      targets: []\n", "sla.policies[0].targets: at least one entry is needed"),
        (POLICY, "sla.policies[0].targets: required"),
        (
            POLICY + "      targets: [{kinds: [rant], first_response_hours: 24}]\n",
            "sla.policies[0].targets[0].kinds[0]: Input should be 'review', 'question', 'chat', "
            "'complaint' or 'survey'",
        ),
        (
            POLICY + "      targets: [{priorities: [asap], first_response_hours: 24}]\n",
            "sla.policies[0].targets[0].priorities[0]: Input should be 'urgent', 'high', 'normal' or 'low'",
        ),
        (
            POLICY + "      targets: [{first_response_hours: 0}]\n",
            "sla.policies[0].targets[0].first_response_hours: Input should be greater than 0",
        ),
        (
            POLICY + "      targets: [{resolution_hours: 5000}]\n",
            "sla.policies[0].targets[0].resolution_hours: Input should be less than or equal to 2000",
        ),
        (
            POLICY + "      warn_share: 1.5\n      targets: [{first_response_hours: 24}]\n",
            "sla.policies[0].warn_share: Input should be less than 1",
        ),
        (
            POLICY + "      targets: [{first_response_hours: 24}]\n      escalation:\n"
            "        - {notify: head, after_hours: 4}\n        - {notify: team_lead, after_hours: 1.5}\n",
            "sla.policies[0].escalation[1].after_hours: 1.5 comes before the step above it (4); "
            "list the steps in the order they fire",
        ),
        (
            POLICY + "      targets: [{first_response_hours: 24}]\n      escalation: [{notify: Team Lead}]\n",
            "sla.policies[0].escalation[0].notify: String should match pattern '^[a-z0-9][a-z0-9_-]{0,39}$'",
        ),
    ],
    ids=[
        "unknown-calendar",
        "built-in-policy-calendar-gone",
        "unknown-default-policy",
        "calendar-twice",
        "policy-twice",
        "no-calendar",
        "no-policy",
        "unknown-time-zone",
        "period-syntax",
        "period-past-24",
        "period-past-midnight",
        "periods-overlap",
        "week-without-hours",
        "extra-day-without-hours",
        "date-in-both-lists",
        "impossible-date",
        "unknown-production-calendar",
        "unknown-calendar-setting",
        "targets-leave-tickets-out",
        "target-never-used",
        "target-never-used-narrower",
        "no-targets",
        "targets-left-out",
        "unknown-kind",
        "unknown-priority",
        "zero-hours",
        "too-many-hours",
        "warn-share-above-1",
        "escalation-out-of-order",
        "escalation-name",
    ],
)
def test_a_mistake_in_the_sla_section_is_refused_with_its_path(document: str, problem: str) -> None:
    assert refused(document) == [problem]


def test_field_mistakes_and_references_are_reported_in_one_check() -> None:
    # Given a bad time zone and, in the same document, a policy naming a calendar that does not exist
    problems = refused(
        "sla:\n"
        "  calendars:\n    - {name: default, time_zone: Nowhere}\n"
        "  policies:\n    - {name: standard, calendar: msk, targets: [{first_response_hours: 24}]}\n"
    )

    assert problems == [
        "sla.calendars[0].time_zone: unknown time zone 'Nowhere'; an IANA name, "
        "e.g. Europe/Moscow or Asia/Yekaterinburg",
        "sla.policies[0].calendar: unknown calendar 'msk'; calendars are default",
    ]


def test_the_holidays_package_loads_with_the_first_deadline_not_with_the_configuration() -> None:
    # Given a fresh interpreter that reads the configuration, then counts one deadline
    probe = (
        "import sys\n"
        "from datetime import datetime, timezone\n"
        "from otklik.domain.config import DEFAULT_CONFIG\n"
        "calendar = DEFAULT_CONFIG.sla.calendar('default')\n"
        "print('holidays' in sys.modules)\n"
        "calendar.add(datetime(2026, 12, 30, 17, tzinfo=timezone.utc), 1)\n"
        "print('holidays' in sys.modules)\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout.split()

    # Then a cold start that never counts a deadline never pays for the package's import
    assert shown == ["False", "True"]
