"""One user-facing error type: it carries the file, the line/row and a hint.

The CLI prints ``str(err)`` on one line and exits with ``err.exit_code``;
tracebacks only appear with ``--debug``.
"""

from __future__ import annotations

import json

EXIT_OK = 0
EXIT_THRESHOLD = 1  # a gate / budget threshold was crossed
EXIT_BAD_INPUT = 2  # unreadable or invalid input, or --strict found unpriced rows


class LlmcostError(Exception):
    """An error a user can act on. Never raised for programming bugs."""

    exit_code = EXIT_BAD_INPUT

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        hint: str | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.hint = hint
        self.column = column  # 1-based, shown as file:line:column when the line is known

    def location(self) -> str:
        if self.file is None:
            return ""
        if self.line is None:
            return f"{self.file}: "
        if self.column is None:
            return f"{self.file}:{self.line}: "
        return f"{self.file}:{self.line}:{self.column}: "

    def __str__(self) -> str:
        text = f"{self.location()}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class InputError(LlmcostError):
    """A usage file, price file or option value that cannot be used."""


class ConfigError(LlmcostError):
    """A YAML configuration (prices, mapping, routes, budgets) that is invalid."""


def json_error(exc: ValueError) -> tuple[str, int | None]:
    """One-line reason and line (if known) for a failed ``json.loads``.

    Usually a ``JSONDecodeError``; but a plain ``ValueError`` (no ``msg`` nor
    ``lineno``) comes from an integer literal longer than Python's
    int-to-string digit limit (4300 digits by default), and a
    ``UnicodeDecodeError`` from reading bad UTF-8.
    """
    if isinstance(exc, json.JSONDecodeError):
        return exc.msg, exc.lineno
    return str(exc).split(";")[0], None
