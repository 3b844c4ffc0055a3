"""The `projektbank` command line: crawl, extract, mirror, …

Each command lives in crawler/commands/<name>_cmd.py; heavy libraries are imported only by the
command that runs. Exit status: 0 when the run did its job, 1 when it could not (with a one-line
reason on stderr), 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys


def command_names() -> list[str]:
    """Every crawler/commands/<name>_cmd.py module is a command."""
    from projektbank.crawler import commands

    return sorted(m.name[:-4] for m in pkgutil.iter_modules(commands.__path__)
                  if m.name.endswith("_cmd"))


class _Version(argparse.Action):
    """`--version`: imports the extractor's version only when asked (`--help` stays light)."""

    def __call__(self, parser, namespace, values, option_string=None):
        from projektbank.extract.version import EXTRACTOR_VERSION

        from projektbank._version import __version__

        print(f"projektbank {__version__} ({EXTRACTOR_VERSION})")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="projektbank",
        description="Scrape the Swedish ESF Council's project bank (esf.se) into typed "
                    "Parquet and CSV datasets, or re-extract saved pages offline.",
        epilog="Run 'projektbank COMMAND --help' for a command's options. "
               "Column reference: docs/fields.md.")
    parser.add_argument("--version", action=_Version, nargs=0,
                        help="show the package and extractor versions and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    parser.commands = {}  # name → its parser, for option suggestions
    for name in command_names():
        module = importlib.import_module(f"projektbank.crawler.commands.{name}_cmd")
        p = sub.add_parser(name, help=module.HELP, description=module.__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
        parser.commands[name] = p
    return parser


def _unrecognized(command: argparse.ArgumentParser, extras: list[str]) -> str:
    """The error for arguments the command does not take, with a did-you-mean for options."""
    import difflib

    options = [o for a in command._actions for o in a.option_strings if o.startswith("--")]
    for extra in extras:
        if extra.startswith("-"):
            name = extra.split("=", 1)[0]
            close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
            return (f"unrecognized option {name}" + (f"; did you mean {close[0]}?" if close else
                                                     f" (see '{command.prog} --help')"))
    return f"unrecognized arguments: {' '.join(extras)}"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    if extras:
        parser.commands[args.command].error(_unrecognized(parser.commands[args.command], extras))
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print("projektbank: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
