"""The ``llmcost`` command line. Thin: parse options, call the library, render."""

from __future__ import annotations

import importlib
import sys

import typer

from . import __version__

app = typer.Typer(
    name="llmcost",
    help="Where does our LLM money go? Price real usage logs and find savings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_COMMAND_MODULES = ("analyze", "prices", "tokens", "whatif", "compress", "report", "budget", "export", "selfhost")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"llmcost {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks for errors."),
) -> None:
    """llmcost: ingest usage exports and logs, price every request, find savings."""
    if debug:
        import os

        os.environ["LLMCOST_DEBUG"] = "1"


for _name in _COMMAND_MODULES:
    importlib.import_module(f"llmcost.commands.{_name}").register(app)


def main() -> None:
    """Run the command line. A usage error (an unknown option, a value that does not parse, a
    missing argument) is one line on stderr and exit 2, like every other error here, instead of
    Click's usage block; ``llmcost`` alone still prints the help."""
    try:
        code = app(standalone_mode=False)
    except typer.Abort:
        typer.echo("Aborted!", err=True)
        sys.exit(1)
    except typer.TyperException as exc:  # (Click's exceptions derive from it)
        show = getattr(exc, "show", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and show is not None:
            show()
        else:
            ctx = getattr(exc, "ctx", None)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            typer.echo(f"llmcost: error: {exc.format_message()}{hint}", err=True)
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
