"""The one Settings object: shipped defaults < user TOML < environment < CLI flags."""

from __future__ import annotations

import os
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings.exceptions import SettingsError

from evidence_miner import __version__
from evidence_miner.errors import ConfigError

USER_CONFIG_NAME = "evidence-miner.toml"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


def default_extensions() -> list[str]:
    """input.extensions when no file sets it: the article formats' suffixes (".txt", ".html",
    ".htm" and those of installed reader plugins), from the one table in sources/formats.py."""
    from evidence_miner.sources.formats import article_suffixes  # plugins load on first use

    return article_suffixes()


class InputSettings(Section):
    max_file_bytes: int = Field(gt=0)
    extensions: list[str] = Field(default_factory=default_extensions)


class ExtractSettings(Section):
    model: str
    batch_size: int = Field(gt=0)
    ner_model: str = "auto"
    study_model: str = "auto"
    language: str = "en"


class StoreSettings(Section):
    """Where records are stored: `db` is a SQLite path or a SQLAlchemy URL.

    EVIDENCE_MINER_DB sets it too, above EVIDENCE_MINER_STORE__DB and below --db.
    """

    db: str


DB_VARIABLE = "EVIDENCE_MINER_DB"


class _StoreDbVariableSource(PydanticBaseSettingsSource):
    """EVIDENCE_MINER_DB as {"store": {"db": ...}}; an empty variable counts as unset."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        value = os.environ.get(DB_VARIABLE, "").strip()
        return {"store": {"db": value}} if value else {}


class OutputSettings(Section):
    records: str


class CrawlSettings(Section):
    user_agent: str
    delay_seconds: float = Field(ge=0)
    retries: int = Field(ge=0)
    timeout_seconds: float = Field(gt=0)
    concurrency_per_host: int = Field(default=1, ge=1)
    max_workers: int = Field(default=8, ge=1)
    max_body_bytes: int = Field(default=10_000_000, gt=0)
    max_decompressed_bytes: int = Field(default=50_000_000, gt=0)
    max_pages: int = Field(default=10_000, ge=0)
    max_pages_per_host: int = Field(default=5_000, ge=0)
    max_links_per_page: int = Field(default=5_000, ge=0)
    robots_retry_seconds: float = Field(default=600.0, ge=0)
    max_depth: int = Field(default=5, ge=0)
    max_redirects: int = Field(default=5, ge=0)
    backoff_seconds: float = Field(default=1.0, ge=0)
    max_backoff_seconds: float = Field(default=60.0, ge=0)
    max_retry_after_seconds: float = Field(default=300.0, ge=0)
    max_crawl_delay_seconds: float = Field(default=60.0, ge=0)
    failure_backoff_gone_hours: float = Field(default=72.0, ge=0)
    failure_backoff_hours: float = Field(default=1.0, ge=0)
    failure_backoff_max_hours: float = Field(default=720.0, ge=0)
    min_article_words: int = Field(default=120, ge=0)
    follow_offsite: bool = False
    tracking_parameters: list[str] = Field(default_factory=list)
    skip_extensions: list[str] = Field(default_factory=list)

    @property
    def user_agent_string(self) -> str:
        return self.user_agent.format(version=__version__)


class _TomlSource(PydanticBaseSettingsSource):
    """A settings source that returns an already-read TOML mapping."""

    def __init__(self, settings_cls: type[BaseSettings], data: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        self._data = data

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return self._data


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="EVIDENCE_MINER_", env_nested_delimiter="__", extra="forbid"
    )

    input: InputSettings
    extract: ExtractSettings
    store: StoreSettings
    output: OutputSettings
    crawl: CrawlSettings

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        layered = merge_mappings(read_default_toml(), _user_toml_for_build)
        db_variable = _StoreDbVariableSource(settings_cls)
        return (init_settings, db_variable, env_settings, _TomlSource(settings_cls, layered))


# The user file is read before the model is built; pydantic-settings calls the classmethod
# above without arguments of ours, so the path travels through this module-level slot.
_user_toml_for_build: dict[str, Any] = {}


def read_default_toml() -> dict[str, Any]:
    text = resources.files("evidence_miner").joinpath("default.toml").read_text("utf-8")
    return tomllib.loads(text)


def read_user_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(
            f"[EM001] Config file {str(path)!r} does not exist. Check the --config path."
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"[EM002] Config file {str(path)!r} is not valid TOML: {exc}.") from exc


def merge_mappings(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge overlay onto base; tables merge key by key, other values replace."""
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_mappings(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_settings(config: Path | None = None, overrides: dict[str, Any] | None = None) -> Settings:
    """Build the effective settings; `overrides` are CLI flags as {section: {key: value}}."""
    global _user_toml_for_build
    if config is None and Path(USER_CONFIG_NAME).is_file():
        config = Path(USER_CONFIG_NAME)
    _user_toml_for_build = read_user_toml(config) if config is not None else {}
    try:
        base = Settings()
        if not overrides:
            return base
        merged = merge_mappings(base.model_dump(), overrides)
        return Settings.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(f"[EM003] Invalid setting: {describe_validation_error(exc)}") from exc
    except SettingsError as exc:
        raise ConfigError(
            f"[EM004] An EVIDENCE_MINER_* variable cannot be read: {exc}. List values are JSON, "
            "e.g. EVIDENCE_MINER_INPUT__EXTENSIONS='[\".txt\"]'."
        ) from exc
    finally:
        _user_toml_for_build = {}


def describe_validation_error(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts) + ". See `evidence-miner config show` and docs/settings.md."
