"""The `accessmedia` command: thin click wrappers over accessmedia.api, one module per family of commands."""

from accessmedia.cli.commands import main

__all__ = ["main"]
