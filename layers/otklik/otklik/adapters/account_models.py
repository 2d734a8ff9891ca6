"""Which learned tonality layer scores an account's texts, per warm container: the configuration's choice for
the account (otklik.domain.learning) made into a model, read from the model store at most once per
CACHE_SECONDS and account.

It never fails the scoring of feedback: when the store cannot answer, the account keeps the model it had
(or, with none yet, the shipped one), and a pinned or promoted version that is not there is the shipped
model; each is logged by account and version, never a text. A model is read once per container and version
(versions are never rewritten).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from aws_lambda_powertools import Logger

from otklik.domain.learning import CURRENT, LEXICON, SHIPPED
from otklik.domain.tonality.learned import Model
from otklik.ports import ModelReader, ModelStoreError

logger = Logger(child=True)

# How soon a promotion reaches a warm container (a rollback is a configuration change: as soon as that).
CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class _Answer:
    model: Model | str
    checked_at: float


class AccountModels:
    def __init__(
        self,
        store: ModelReader,
        max_age_seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._max_age = max_age_seconds
        self._clock = clock
        self._answers: dict[tuple[str, str], _Answer] = {}
        self._models: dict[tuple[str, str], Model] = {}

    def resolve(self, account: str, choice: str) -> Model | str:
        """The account's learned layer for the choice: LEXICON, SHIPPED, or the account's own Model."""
        if choice in (LEXICON, SHIPPED):
            return choice
        key = (account, choice)
        known = self._answers.get(key)
        if known is not None and self._clock() - known.checked_at < self._max_age:
            return known.model
        try:
            model = self._read(account, choice)
        except ModelStoreError as error:
            model = known.model if known is not None else SHIPPED
            logger.warning(
                "model store unavailable; the account keeps the model it had",
                extra={"account": account, "choice": choice, "error": str(error), "in_force": _name(model)},
            )
        if known is None or _name(known.model) != _name(model):
            logger.info("account model in force", extra={"account": account, "model": _name(model)})
        self._answers[key] = _Answer(model, self._clock())
        self._forget_unused()
        return model

    def _read(self, account: str, choice: str) -> Model | str:
        version = self._store.current(account) if choice == CURRENT else choice
        if version is None:
            return SHIPPED  # no model promoted for the account yet
        model = self._models.get((account, version))
        if model is None:
            model = self._store.load(account, version)
            if model is None:
                logger.warning(
                    "account model not stored; the shipped model scores its texts",
                    extra={"account": account, "version": version},
                )
                return SHIPPED
            self._models[(account, version)] = model
        return model

    def _forget_unused(self) -> None:
        """Keep in memory only the models some account's answer holds (a promotion replaces one)."""
        held = {id(answer.model) for answer in self._answers.values()}
        for key in [key for key, model in self._models.items() if id(model) not in held]:
            del self._models[key]


def _name(model: Model | str) -> str:
    return model.version if isinstance(model, Model) else model
