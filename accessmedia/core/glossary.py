"""Glossary files: names and terms, one per line, that speech recognition should
expect and translation must leave intact. Lines starting with # are comments."""

from __future__ import annotations

from pathlib import Path

from accessmedia.core.errors import AccessMediaError


def load_glossary(path: str | Path) -> tuple[str, ...]:
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise AccessMediaError(f"glossary {path} does not exist", "check the --glossary path") from None
    except UnicodeDecodeError as exc:
        raise AccessMediaError(f"glossary {path} is not UTF-8 (byte {exc.start})", "save it as UTF-8") from None
    terms: list[str] = []
    for line in text.splitlines():
        term = " ".join(line.split("#", 1)[0].split()) if not line.lstrip().startswith("#") else ""
        if term and term not in terms:
            terms.append(term)
    return tuple(terms)
