"""Which encoding a subtitle file is in: byte-order marks first, then strict UTF-8, then the Windows
code page of the file's language. A file whose code page cannot be told is refused with the
candidates named, never read wrong: Polish text read as Western European becomes "Za¿ó³æ", and a
volunteer's correction would be saved that way.

Pure: bytes in, text out.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections import Counter
from dataclasses import dataclass

from accessmedia.core.errors import SubtitleError

# the Windows code page editors use for each language's text (the default: Western, cp1252)
CODE_PAGES = {
    "cp1250": ("pl", "cs", "sk", "sl", "hr", "hu", "ro", "bs"),
    "cp1251": ("uk", "ru", "bg", "sr", "mk", "be"),
    "cp1253": ("el",),
    "cp1254": ("tr", "ku"),
    "cp1256": ("ar", "fa", "ur", "ps"),
    "cp1257": ("lt", "lv", "et"),
    "cp1258": ("vi",),
}
WESTERN = "cp1252"
CANDIDATES = ("cp1252", "cp1250", "cp1251", "cp1256")  # the conference's languages
# characters that real text has beyond letters: typographic quotes, dashes, symbols people type
_TYPOGRAPHY = set("«»„“”‘’‚‹›–—…•·€£$°±×÷§©®™¼½¾´¨¡\u00a0\u200e\u200f\u200b\ufeff")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def code_page(language: str | None) -> str:
    for page, codes in CODE_PAGES.items():
        if language in codes:
            return page
    return WESTERN


def _natural(c: str) -> bool:
    """A character beyond ASCII that real text has: a letter, a mark, a typographic sign."""
    return c.isalpha() or unicodedata.category(c).startswith("M") or c in _TYPOGRAPHY


def plausible(text: str) -> float:
    """The share of the characters beyond ASCII that real text has."""
    odd = [c for c in text if ord(c) > 127]
    return sum(1 for c in odd if _natural(c)) / len(odd) if odd else 1.0


def _plausible_in(high: Counter, page: str) -> float | None:
    """plausible() of the file read in the single-byte code page `page`, from the counts of its bytes above
    127 (each is one character there, the bytes below are ASCII): no decoding of the whole file per
    candidate. None when a byte has no character in `page`."""
    total = good = 0
    for byte, n in high.items():
        try:
            c = bytes([byte]).decode(page)
        except UnicodeDecodeError:
            return None
        total += n
        good += n if _natural(c) else 0
    return good / total if total else 1.0


def _strict(data: bytes, encoding: str, name: str, what: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding.startswith(("utf-16", "utf-32")) and exc.reason == "truncated data":
            raise SubtitleError(name, None, f"the file is cut off: {what} ends in the middle of a character",
                                "save or copy it again") from None
        raise SubtitleError(name, None, f"starts as {what} but byte {exc.start} (0x{data[exc.start]:02x}) is not {what}: "
                            "saved in two encodings?", "open it in an editor and save it again as UTF-8") from None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark: every other byte of Latin text is zero. One stray NUL is not that."""
    head = data[:4096]
    pairs = max(1, len(head) // 2)
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if max(even, odd) < 0.3 * pairs:
        return None
    return "utf-16-be" if even > odd else "utf-16-le"


def decode(data: bytes, name: str = "file", language: str | None = None) -> Decoded:
    """The text of a subtitle file and the name of its encoding. `language` (from the file's name or the
    user) chooses the code page of a file that is not Unicode."""
    for bom, encoding, what in ((codecs.BOM_UTF32_LE, "utf-32", "UTF-32"), (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
                                (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"), (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
                                (codecs.BOM_UTF16_BE, "utf-16", "UTF-16")):
        if data.startswith(bom):
            return _nul_free(_strict(data, encoding, name, what), "utf-8 with BOM" if what == "UTF-8" else what.lower(), name)
    wide = _utf16_without_bom(data)
    if wide is not None:
        text = _strict(data, wide, name, "UTF-16")
        if not _looks_like_text(text):
            raise SubtitleError(name, None, "contains binary data, not subtitle text", "pass an .srt or .vtt text file")
        return _nul_free(text, wide, name)
    try:
        return _nul_free(data.decode("utf-8"), "utf-8", name)
    except UnicodeDecodeError:
        pass
    return _nul_free(*_code_page(data, name, language))


def _code_page(data: bytes, name: str, language: str | None) -> tuple[str, str, str]:
    high = Counter(data.translate(None, bytes(range(128))))
    scores = {page: score for page in dict.fromkeys([code_page(language), *CANDIDATES])
              if (score := _plausible_in(high, page)) is not None}
    if language is None:
        # no language known: a detector's guess decides between scripts (Arabic, Cyrillic read as Latin are
        # still letters); between Latin code pages it is no better than a coin, and Norwegian files are cp1252
        from charset_normalizer import from_bytes

        guess = from_bytes(data).best()
        guessed = guess.encoding if guess else None
        chosen = guessed if guessed in ("cp1251", "cp1256") and guessed in scores else WESTERN
        if chosen == WESTERN and scores.get("cp1250") == 1.0 and _central_european(high):
            chosen = "cp1250"
    else:
        chosen = code_page(language)
    text = data.decode(chosen) if chosen in scores else None
    if scores.get(chosen) == 1.0:
        return text, chosen, ""
    clean = [p for p, score in scores.items() if p != chosen and score == 1.0]
    if clean:
        sample = " ".join(w for w in (text or "").split() if plausible(w) < 1.0)[:40]
        langs = {p: "/".join(CODE_PAGES.get(p, ("nb", "en", "de"))[:3]) for p in clean}
        raise SubtitleError(
            name, None, f"cannot tell its encoding: as {chosen} ({'for ' + language if language else 'Western'}) it reads "
            f"{sample!r}; it reads as text in " + ", ".join(f"{p} ({langs[p]})" for p in clean),
            "say the file's language (NAME.<lang>.srt or --lang), or save it as UTF-8",
        )
    if text is None:
        raise SubtitleError(name, None, f"is not text in {chosen} or any encoding accessmedia knows", "save it as UTF-8")
    return text, chosen, f"{name}: some characters of this {chosen} file may be wrong; UTF-8 is safer"


CENTRAL = (0x8A, 0x8E, 0x9A, 0x9E, 0xD0, 0xF0)  # Š Ž š ž (alike in cp1250 and cp1252), Đ đ (Ð ð in cp1252)
WESTERN_ONLY = (0xC5, 0xE5, 0xD8, 0xF8, 0xD1, 0xF1, 0xE0, 0xE3, 0xF5)  # Å å Ø ø Ñ ñ à ã õ: Ĺ ĺ Ř ř Ń ń ŕ ă ő in cp1250


def _central_european(high: Counter) -> bool:
    """Bytes that say Croatian, Bosnian, Serbian, Slovene, Czech or Slovak in Latin letters: š, ž and đ are common
    in them and all but absent in the languages of cp1252, whose å, ø, ñ, à ... they lack (Subtitle Edit's test
    file auto_detect_windows-1250.srt, Serbian, reads 'Ðino' for 'Đino' as cp1252). A Czech name in a Norwegian
    file is not enough."""
    central, western = sum(high[b] for b in CENTRAL), sum(high[b] for b in WESTERN_ONLY)
    return central >= 2 and central >= 0.05 * sum(high.values()) and 4 * western < central


def _nul_free(text: str, encoding: str, name: str, warning: str = "") -> Decoded:
    head = text[:4096]
    if sum(1 for c in head if unicodedata.category(c) == "Cc" and c not in "\r\n\t\x00\v\f") > 0.02 * len(head):
        raise SubtitleError(name, None, "contains binary data, not subtitle text", "pass an .srt or .vtt text file")
    warnings = [warning] if warning else []
    if "\x00" in text:  # as browsers do: a NUL becomes U+FFFD, the file is read
        warnings.append(f"{name}: {text.count(chr(0))} NUL byte(s) replaced by U+FFFD")
        text = text.replace("\x00", "\ufffd")
    return Decoded(text, encoding, tuple(warnings))


def _looks_like_text(text: str) -> bool:
    """Text, not bytes that merely decode: few control characters, and some letters."""
    if not text:
        return False
    controls = sum(1 for c in text[:4096] if unicodedata.category(c) in ("Cc", "Cn", "Co") and c not in "\r\n\t")
    return controls < 0.02 * min(len(text), 4096) and any(c.isalpha() for c in text[:4096])
