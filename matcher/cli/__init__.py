"""The ``matcher`` command: thin adapters over the library, one module per command.

Each command module defines ``NAME``, ``HELP``, ``EXAMPLE``, ``add_arguments(parser)`` and
``run(args) -> exit code``; it builds the library object, calls it, and lets
:class:`~matcher.errors.MatcherError` reach :func:`main`, which turns it into a clean message
and exit code. Heavy libraries (torch, faiss, pandas) are imported inside ``run`` so that
``--help`` and ``validate`` stay quick.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from matcher.errors import MatcherError, ValidationError

#: the command modules, in the order ``matcher --help`` lists them
COMMAND_MODULES = (
    "validate", "index", "match", "similar", "plan", "eval", "train", "serve", "keys", "backup",
)  # fmt: skip


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    example: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _commands() -> dict[str, Command]:
    out = {}
    for mod_name in COMMAND_MODULES:
        mod = importlib.import_module(f"matcher.cli.{mod_name}")
        out[mod.NAME] = Command(mod.NAME, mod.HELP, mod.EXAMPLE, mod.add_arguments, mod.run)
    return out


COMMANDS: dict[str, Command] = _commands()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="matcher",
        description="Influencer-brand matching: explained creator shortlists for campaign briefs.",
        epilog="example: matcher index --creators creators.jsonl --out idx && "
        "matcher match --index idx --brief brief.json",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for cmd in COMMANDS.values():
        p = sub.add_parser(
            cmd.name,
            help=cmd.help,
            description=cmd.help,
            epilog=f"example:\n  {cmd.example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        cmd.add_arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 1
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _one_line_warning(args.command)
            return COMMANDS[args.command].run(args)
    except ValidationError as e:
        print(e.report(), file=sys.stderr)
        return e.exit_code
    except MatcherError as e:
        print(f"matcher {args.command}: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        return 130


def _one_line_warning(command: str) -> Callable[..., None]:
    """Warnings as one line on stderr ("matcher index: warning: ..."), never Python's format
    with its source line."""

    def show(message: Warning | str, category: type[Warning], *args: object, **kw: object) -> None:
        print(f"matcher {command}: warning: {message}", file=sys.stderr)

    return show


__all__ = ["COMMANDS", "build_parser", "main"]
