"""How a job's work says how far it has got: the runner hands each job a ``Progress``
that writes to the job's row, and the job's page reads it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class Progress(Protocol):
    def total(self, steps: int) -> None:
        """The work has ``steps`` steps in all."""

    def step(self, done: int) -> None:
        """``done`` steps of the total are done."""


class JobError(Exception):
    """The work refuses to go on, for a reason the person who asked can act on (said in
    the message); raised by a kind's work, shown on the job's page."""


@dataclass(frozen=True)
class Outcome:
    """What a job's work made: ``result`` (ids and counts its kind's page links to) and
    the jobs it asks to be started next, each a kind and its parameters."""

    result: dict[str, Any]
    then: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
