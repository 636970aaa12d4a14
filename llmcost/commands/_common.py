"""Helpers shared by the CLI command modules: error handling and output."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

from ..errors import EXIT_BAD_INPUT, LlmcostError

F = TypeVar("F", bound=Callable[..., Any])


def debug_enabled() -> bool:
    return os.environ.get("LLMCOST_DEBUG", "") not in ("", "0")


def cli_errors(func: F) -> F:
    """Turn :class:`LlmcostError` (and unexpected errors) into one stderr line
    and an exit code; a traceback only with ``LLMCOST_DEBUG=1`` / ``--debug``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except LlmcostError as err:
            if debug_enabled():
                raise
            typer.echo(f"llmcost: error: {err}", err=True)
            raise typer.Exit(err.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("llmcost: interrupted", err=True)
            raise typer.Exit(130) from None
        except BrokenPipeError:
            raise typer.Exit(0) from None

    return wrapper  # type: ignore[return-value]


def write_output(text: str, output: Path | None) -> None:
    """Write ``text`` to ``output`` atomically (write then rename), or stdout."""
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        if not text.endswith("\n"):
            sys.stdout.write("\n")
        return
    parent = output.parent if str(output.parent) else Path(".")
    if not parent.exists():
        raise LlmcostError("output folder does not exist", file=str(output))
    tmp = output.with_name(f".{output.name}.tmp{os.getpid()}")
    tmp.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    os.replace(tmp, output)


__all__ = ["cli_errors", "write_output", "EXIT_BAD_INPUT", "debug_enabled"]
