"""Helpers shared by the CLI command modules: error handling and output."""

from __future__ import annotations

import contextlib
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


def write_output(text: str, output: Path | None, *, final_newline: bool = True) -> None:
    """Write ``text`` to ``output`` atomically (write then rename), or stdout.
    A final line break is added unless ``final_newline`` is False (then the
    text is written as is: a compressed prompt keeps the lack of one)."""
    if final_newline and not text.endswith("\n"):
        text += "\n"
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        return
    atomic_write(output, text)


def atomic_write(output: Path, text: str, *, newline: str | None = "") -> None:
    """Write ``text`` to ``output`` without ever leaving a half-written file.

    Writes a temporary file beside the target, then renames it over the
    target. A symlink is followed (the file it points to is replaced, the
    link stays), and an existing file keeps its permission bits.  A target
    that is not a regular file (``/dev/null``, ``/dev/stdout``, a named pipe)
    is written to directly: renaming over it would replace the device.
    """
    try:
        special = output.exists() and not output.is_file() and not output.is_dir()
    except OSError:
        special = False
    if special:
        try:
            with open(output, "w", encoding="utf-8", newline=newline) as fh:
                fh.write(text)
        except OSError as exc:
            raise LlmcostError(f"cannot write: {exc.strerror}", file=str(output)) from None
        return
    target = Path(os.path.realpath(output)) if output.is_symlink() else output
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.exists():
        raise LlmcostError("output folder does not exist", file=str(output))
    if target.is_dir():
        raise LlmcostError("output path is a folder", file=str(output))
    mode = target.stat().st_mode & 0o7777 if target.exists() else None
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    if len(os.fsencode(tmp.name)) > 255:  # a target name near the limit (255 bytes): a short temp name
        tmp = target.with_name(f".llmcost.tmp{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8", newline=newline) as fh:
            fh.write(text)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as exc:  # (Ctrl-C between writing and renaming too): no temp file left behind
        # (on a read-only file system even unlinking a file never created fails: EROFS, not ENOENT)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise LlmcostError(f"cannot write: {exc.strerror}", file=str(output)) from None
        raise


def price_book(prices: Path | None) -> Any:
    """The price table, with the ``--prices`` overrides file if given (loaded on call: ~0.2 s)."""
    from ..pricing import PriceBook

    return PriceBook.default(overrides=str(prices) if prices is not None else None)


def strict_unpriced_error(priced: Any) -> str | None:
    """``--strict``'s one-line error when rows of a priced table could not be priced, else None."""
    unpriced = priced.loc[~priced["priced"]]
    if unpriced.empty:
        return None
    return (f"llmcost: error: {int(unpriced['requests'].sum()):,} request(s) of {unpriced['model'].nunique()} model(s) "
            "could not be priced (--strict); add them to a --prices overrides file")


def warn_unknown_model(model: str, book: Any) -> None:
    """Warn on stderr about a model the price table does not know: :func:`unknown_model_warning`."""
    from ..pricing.sheet import unknown_model_warning

    line = unknown_model_warning(model, book)
    if line is not None:
        typer.echo(line, err=True)


__all__ = ["cli_errors", "write_output", "atomic_write", "price_book", "strict_unpriced_error", "warn_unknown_model", "EXIT_BAD_INPUT",
           "debug_enabled"]
