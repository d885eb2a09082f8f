"""Writes README.md's command reference from the commands' own --help, so it cannot go stale.

Run: python -m accessmedia.cli.docs        (rewrites README.md)
     python -m accessmedia.cli.docs --check (exit 1 if README.md is out of date)
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from accessmedia.cli import main

START, END = "<!-- cli-reference:start -->", "<!-- cli-reference:end -->"
README = Path(__file__).resolve().parents[2] / "README.md"


def _commands(group: click.Group, prefix: list[str]):
    for name in sorted(group.commands):
        cmd = group.commands[name]
        yield [*prefix, name], cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, [*prefix, name])


def reference() -> str:
    parts = []
    for path, cmd in _commands(main, ["accessmedia"]):
        ctx = click.Context(cmd, info_name=" ".join(path), terminal_width=100, max_content_width=100, help_option_names=["-h", "--help"])
        parts.append(f"### `{' '.join(path)}`\n\n```\n{cmd.get_help(ctx)}\n```\n")
    return "\n".join(parts)


def render(readme: str) -> str:
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{reference()}{END}{tail}"


if __name__ == "__main__":
    text = README.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in sys.argv:
        sys.exit(0 if new == text else 1)
    README.write_text(new, encoding="utf-8")
