"""Language packs: every word list, term set and word table of one language, read from one
folder of data files (lang/en/) and checked once into a read-only LanguagePack.

A pack is named in the spaCy config (`language` of the em_* components in
extract/default.cfg): a name registered in LANGUAGES, or the path of a pack folder. A second
language is a copy of lang/en/ with its words translated plus one line in LANGUAGES.
The stages read the default pack (`load_pack(DEFAULT_LANGUAGE)`) where no config names one:
normalise's unit, duration, frequency and number tables, crawl's page-junk lines and words,
the review page's abbreviations.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from evidence_miner.errors import ConfigError
from evidence_miner.lang.pack import PACK_FILES, LanguagePack, read_pack

DEFAULT_LANGUAGE = "en"
# Registered packs: name -> its folder under src/evidence_miner/lang/ (or an absolute path).
# One line per language.
LANGUAGES = {
    "en": "en",
}

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "LanguagePack", "find_pack_folder", "load_pack"]


def find_pack_folder(language: str) -> Traversable:
    """The folder of pack `language`: a registered name ("en") or the path of a pack folder."""
    if language in LANGUAGES:
        return resources.files("evidence_miner.lang").joinpath(LANGUAGES[language])
    folder = Path(language).expanduser()
    if folder.is_dir():
        return folder
    raise ConfigError(
        f"[EM461] No language pack {language!r}: it is neither a registered language "
        f"({sorted(LANGUAGES)}) nor a folder. Give one of those names, or the path of a folder "
        f"holding {list(PACK_FILES)} (a copy of src/evidence_miner/lang/en/)."
    )


def load_pack(language: str = DEFAULT_LANGUAGE) -> LanguagePack:
    """The pack `language` (a registered name or a folder path), read and checked once: one
    object per pack, however it is named ("en", a relative or an absolute path)."""
    if language in LANGUAGES:
        return read_named_pack(language)
    folder = Path(str(find_pack_folder(language))).resolve()
    return read_named_pack(str(folder))


@cache
def read_named_pack(language: str) -> LanguagePack:
    folder = LANGUAGES.get(language, language)
    name = folder if Path(folder).is_absolute() else f"lang/{folder}"
    return read_pack(find_pack_folder(language), name)
