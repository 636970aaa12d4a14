"""The ``llmcost`` console entry point (and ``python -m llmcost``).

Before it imports the command line (Typer, pydantic, every command module:
~0.15 s, then ~0.1 s more to parse the options), it looks at the arguments for
one thing: is this ``llmcost compress``?  Then it starts the token-counting
child at once (:func:`llmcost.compress.meter.prestart`), so that the child
builds the tokenizer (~0.25 s) on the second core while this process starts
up, instead of after.  On a short prompt that is most of the wait.

The look is a guess and only a guess: the command line still parses the
arguments itself, and what it counts never depends on which process counts
it.  A wrong guess (say ``-m`` given as the value of another option) costs a
child that builds an encoding nobody uses, nothing else.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def compress_model(argv: Sequence[str]) -> str | None:
    """The model ``llmcost compress`` will count with (its first ``-m``/``--model``, else the
    default) when ``argv`` (without the program name) runs that command; None otherwise, and for
    ``--help``."""
    args = list(argv)
    while args and args[0] == "--debug":  # (the root's only option that does not exit)
        args.pop(0)
    if not args or args[0] != "compress" or "--help" in args:
        return None
    from .compress import DEFAULT_MODEL

    rest = args[1:]
    for i, arg in enumerate(rest):
        if arg == "--":
            break
        if arg in ("-m", "--model"):
            return rest[i + 1] if i + 1 < len(rest) else None
        if arg.startswith("--model="):
            return arg.removeprefix("--model=")
        if arg.startswith("-m") and not arg.startswith("--"):
            return arg[2:]
    return DEFAULT_MODEL


def main(argv: Sequence[str] | None = None) -> None:
    model = compress_model(sys.argv[1:] if argv is None else argv)
    if model:
        from .compress import meter

        meter.prestart(model)
    from .cli import main as cli_main

    cli_main()


__all__ = ["compress_model", "main"]
