"""Language codes: BCP-47 everywhere, Whisper's own codes only at the model call."""

from __future__ import annotations

from accessmedia.core.errors import AccessMediaError

# BCP-47 code -> (English name, native name). Whisper's code differs for Bokmål only.
LANGUAGES: dict[str, tuple[str, str]] = {
    "nb": ("Norwegian Bokmål", "Norsk bokmål"),
    "nn": ("Norwegian Nynorsk", "Norsk nynorsk"),
    "en": ("English", "English"),
    "ar": ("Arabic", "العربية"),
    "pl": ("Polish", "Polski"),
    "uk": ("Ukrainian", "Українська"),
    "fa": ("Persian", "فارسی"),
    "ur": ("Urdu", "اردو"),
    "so": ("Somali", "Soomaali"),
    "ti": ("Tigrinya", "ትግርኛ"),
    "sv": ("Swedish", "Svenska"),
    "da": ("Danish", "Dansk"),
    "de": ("German", "Deutsch"),
    "fr": ("French", "Français"),
    "es": ("Spanish", "Español"),
    "ru": ("Russian", "Русский"),
    "tr": ("Turkish", "Türkçe"),
    "ps": ("Pashto", "پښتو"),
    "ku": ("Kurdish", "Kurdî"),
    "vi": ("Vietnamese", "Tiếng Việt"),
    "th": ("Thai", "ไทย"),
    "zh": ("Chinese", "中文"),
    "ro": ("Romanian", "Română"),
    "lt": ("Lithuanian", "Lietuvių"),
    "fi": ("Finnish", "Suomi"),
    "am": ("Amharic", "አማርኛ"),
    "sw": ("Swahili", "Kiswahili"),
    "hi": ("Hindi", "हिन्दी"),
    "bn": ("Bengali", "বাংলা"),
    "pt": ("Portuguese", "Português"),
    "it": ("Italian", "Italiano"),
    "nl": ("Dutch", "Nederlands"),
}

RIGHT_TO_LEFT = frozenset({"ar", "fa", "ur", "ps", "he", "yi", "ckb"})


def direction(code: str) -> str:
    """"rtl" for a language written right to left, else "ltr": the one rule every page, file and translation uses."""
    return "rtl" if code in RIGHT_TO_LEFT else "ltr"

_ALIASES = {"no": "nb", "nob": "nb", "nno": "nn", "nb-no": "nb", "nn-no": "nn", "en-gb": "en", "en-us": "en"}


def normalize(code: str) -> str:
    """Return the BCP-47 code for `code`, or raise with the list of known codes."""
    key = code.strip().lower().replace("_", "-")
    key = _ALIASES.get(key, key)
    if key not in LANGUAGES:
        known = ", ".join(sorted(LANGUAGES))
        raise AccessMediaError(
            f"unknown language code '{code}'", f"use a BCP-47 code, one of: {known}"
        )
    return key


def to_whisper(code: str) -> str:
    """Whisper names Norwegian Bokmål 'no'; every other code it knows is the same."""
    code = normalize(code)
    return "no" if code == "nb" else code


def native_name(code: str) -> str:
    return LANGUAGES[normalize(code)][1]
