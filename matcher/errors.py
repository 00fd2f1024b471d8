"""Error types. Every error a user can cause is a :class:`MatcherError` with a precise message."""

from __future__ import annotations

from dataclasses import dataclass


class MatcherError(Exception):
    """Base class of every error matcher raises on purpose (bad input, bad config, missing model)."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file: where it is and what was expected."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f": field '{self.field}'"
        return f"{where}: {self.message}"


class ValidationError(MatcherError):
    """An input file (or object) broke the contract of FORMATS.md. Carries every problem found."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("ValidationError needs at least one problem")
        self.problems = list(problems)
        head = str(self.problems[0])
        more = len(self.problems) - 1
        super().__init__(head if more == 0 else f"{head} (and {more} more problem(s))")

    def report(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class IndexMismatchError(MatcherError):
    """An index was built with another model, dimension or format version."""

    exit_code = 3


class ModelNotFoundError(MatcherError):
    """A configured encoder or ranker model is missing or corrupt."""

    exit_code = 3


class NotFittedError(MatcherError, AttributeError):
    """A learned ranker was used before ``fit``."""
