"""Survey answers on the own-channel webhook: an NPS or CSAT score travels with the item to the aggregates."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from otklik.domain.models import OwnChannelFeedback
from otklik.usecases.ingest import envelope_for

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _survey(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "id": "nps-2026-12-0001",
        "kind": "survey",
        "text": "",
        "survey": {"scale": "nps", "score": 9},
        "created_at": "2026-12-01T11:00:00+03:00",
    }
    body.update(changes)
    return body


def test_a_survey_score_without_a_text_is_accepted_and_reaches_the_envelope() -> None:
    feedback = OwnChannelFeedback.model_validate_json(json.dumps(_survey()))

    envelope = envelope_for("custom", feedback, NOW)

    assert envelope.survey is not None and (envelope.survey.scale, envelope.survey.score) == ("nps", 9)


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"survey": {"scale": "nps", "score": 11}}, "from 0 to 10"),
        ({"survey": {"scale": "csat", "score": 0}}, "from 1 to 5"),
        ({"survey": {"scale": "ces", "score": 3}}, "scale"),
        ({"survey": {"scale": "nps", "score": "9"}}, "score"),
        ({"kind": "review"}, "belongs to kind survey"),
        ({"survey": None}, "a survey score"),
    ],
)
def test_a_survey_answer_off_its_scale_or_on_another_kind_is_refused(
    changes: dict[str, object], says: str
) -> None:
    with pytest.raises(ValidationError, match=says):
        OwnChannelFeedback.model_validate_json(json.dumps(_survey(**changes)))
