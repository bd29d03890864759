"""Normalise dose units and amounts ("2.4-mg", "175 mg/m²", "AUC 5") and convert them with pint."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from evidence_miner import disk_cache
from evidence_miner.errors import ConfigError, NormaliseError
from evidence_miner.normalise.tables import TableModel, load_table, to_alias_index, to_key
from evidence_miner.numbers import check_value_length, parse_number, parse_range

if TYPE_CHECKING:  # pint and its registry load in about a second: only where a unit is converted
    import pint

Role = Literal["amount", "per_body", "per_time", "whole"]

_ROLE_DIMENSIONS: dict[Role, tuple[str, ...]] = {
    "amount": ("[mass]", "[length] ** 3", "[substance]", "[biological_activity]"),
    "per_body": ("[mass]", "[length] ** 2"),
    "per_time": ("[time]",),
    "whole": (),
}
_COMPOUNDS: tuple[tuple[Role, ...], ...] = (
    ("amount",),
    ("whole",),
    ("amount", "per_body"),
    ("amount", "per_time"),
    ("amount", "per_body", "per_time"),
)
_UNIT_SEPARATOR = re.compile(r"\s*/\s*|\s+per\s+")
_NUMBER_UNIT_GAP = re.compile(r"(?<=\d)\s*-?\s*(?=[^\W\d_]|%)")
_AUC = re.compile(r"(?:target\s+)?auc\s*(?:of\b|=|:)?\s*(?P<number>.+)")
_MAXIMUM = re.compile(
    r"[\s,;]*\(?\s*(?:(?:up to |to )?(?:a )?(?:maximum|max)\b\.?(?:\s*(?:daily )?dose)?"
    r"(?:\s*of\b)?|not to exceed)\s*:?"
)


class UnitAtom(TableModel):
    pint: str
    role: Role
    aliases: list[str]


class UnitTable(TableModel):
    definitions: list[str] = Field(default_factory=list)
    atoms: dict[str, UnitAtom]


class Amount(BaseModel):
    """A dose amount: one value, or a low-high range, in a canonical unit, with an optional cap."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str
    max_value: float | None = None
    max_unit: str | None = None

    @model_validator(mode="after")
    def _range_is_ordered(self) -> Amount:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"amount range low {self.low} is above high {self.high}")
        return self


@cache
def read_unit_table() -> UnitTable:
    return load_table("units.toml", UnitTable)


@cache
def load_registry() -> pint.UnitRegistry:  # type: ignore[type-arg]
    """One pint registry per process, with the table's extra definitions (IU)."""
    import pint

    registry: pint.UnitRegistry = pint.UnitRegistry()  # type: ignore[type-arg]
    for definition in read_unit_table().definitions:
        try:
            registry.define(definition)
        except (pint.errors.PintError, ValueError) as exc:
            raise ConfigError(
                f"[EM200] Invalid data file lang/en/units.toml: definition "
                f"{definition!r} is not valid pint syntax ({exc}). Fix the file."
            ) from exc
    return registry


@cache
def load_unit_index() -> dict[str, str]:
    """Alias key -> canonical atom, after checking each atom's pint dimension against its role."""
    atoms = read_unit_table().atoms
    check_unit_table()
    return to_alias_index({name: atom.aliases for name, atom in atoms.items()}, "units.toml")


def cache_folder() -> Path | None:
    """Where facts read from pint are kept between runs (None: not kept)."""
    return disk_cache.default_cache_folder("normalise")


def to_pint_cache_parts(*extra: str) -> list[bytes]:
    """What a fact read from pint depends on: pint's version, the unit table, this module."""
    from importlib.metadata import version

    texts = [
        version("pint"),
        read_unit_table().model_dump_json(),
        Path(__file__).read_text("utf-8"),
        *extra,
    ]
    return [text.encode() for text in texts]


def check_unit_table() -> None:
    """check_unit_atom for every atom; a table that passed with this version of pint and of this
    module before is not checked again (the check needs pint's registry)."""
    disk_cache.cached(cache_folder(), "units-checked", to_pint_cache_parts(), check_unit_atoms)


def check_unit_atoms() -> bool:
    for canonical, atom in read_unit_table().atoms.items():
        check_unit_atom(canonical, atom)
    return True


def check_unit_atom(canonical: str, atom: UnitAtom) -> None:
    """Raise unless pint reads the atom's expression with a dimension its role allows."""
    import pint

    registry = load_registry()
    try:
        dimensionality = registry.Quantity(1, atom.pint).dimensionality
    except (pint.errors.PintError, ValueError, TypeError) as exc:
        raise ConfigError(
            f"[EM200] Invalid data file lang/en/units.toml: pint cannot read "
            f"{atom.pint!r} for {canonical!r} ({exc}). Fix the file."
        ) from exc
    allowed = _ROLE_DIMENSIONS[atom.role]
    if allowed and dimensionality not in [registry.get_dimensionality(d) for d in allowed]:
        raise ConfigError(
            f"[EM200] Invalid data file lang/en/units.toml: {canonical!r} has dimension "
            f"{dimensionality}, but role {atom.role!r} needs one of {list(allowed)}. Fix the file."
        )


def normalise_unit(text: str) -> str:
    """Canonical dose unit: "milligrams" -> mg, "mg/m²" -> mg/m2, "mg/kg per day" -> mg/kg/day."""
    return "/".join(parse_unit_atoms(text))


def is_dose_unit(text: str) -> bool:
    try:
        parse_unit_atoms(text)
    except NormaliseError:
        return False
    return True


def parse_unit_atoms(text: str) -> list[str]:
    """The canonical atoms of a dose unit, in order: "mg per kg per day" -> [mg, kg, day]."""
    check_value_length(text, "a dose unit")
    index = load_unit_index()
    key = to_key(text)
    parts = [key] if key in index else _UNIT_SEPARATOR.split(key)
    names = [index.get(to_key(part)) for part in parts]
    atoms = read_unit_table().atoms
    roles = tuple(atoms[name].role if name else None for name in names)
    if roles not in _COMPOUNDS:
        raise NormaliseError(f"[EM204] Unknown dose unit {text!r}. Add it to lang/en/units.toml.")
    return [name for name in names if name]


def convert_amount(value: float, unit: str, to_unit: str) -> float:
    """Convert with pint: convert_amount(1, "g", "mg") == 1000; per-kg units convert alike."""
    import pint

    registry = load_registry()
    quantity = registry.Quantity(value, to_pint_expression(unit))
    try:
        return float(quantity.to(to_pint_expression(to_unit)).magnitude)
    except pint.errors.DimensionalityError as exc:
        raise NormaliseError(
            f"[EM206] Cannot convert {value} {unit} to {to_unit}: the units measure different "
            "things. Convert only between units of one kind (mass, mass per kg, ...)."
        ) from exc


def to_pint_expression(unit: str) -> str:
    """The pint expression of a dose unit: "mg/kg/day" -> "(milligram) / (kilogram) / (day)"."""
    atoms = read_unit_table().atoms
    return " / ".join(f"({atoms[name].pint})" for name in parse_unit_atoms(unit))


def parse_amount(text: str) -> Amount:
    """Read "2.4-mg", "1.5 to 2 mg", "175 mg/m²", "AUC of 5", "10 mg/kg (maximum 500 mg)"."""
    check_value_length(text, "a dose amount")
    main, maximum = split_maximum(to_amount_text(text))
    amount = parse_plain_amount(main, text)
    if maximum is None:
        return amount
    cap = parse_plain_amount(maximum, text)
    if cap.value is None:
        raise NormaliseError(
            f"[EM205] The maximum in {text!r} is not one amount. "
            "Write it as e.g. '(maximum 500 mg)'."
        )
    return Amount(
        **amount.model_dump(exclude={"max_value", "max_unit"}),
        max_value=cap.value,
        max_unit=cap.unit,
    )


def to_amount_text(text: str) -> str:
    """Lowercase with one space between words, a space between a number and its unit."""
    return _NUMBER_UNIT_GAP.sub(" ", " ".join(text.lower().split()))


def split_maximum(text: str) -> tuple[str, str | None]:
    """Split "10 mg/kg (maximum 500 mg)" into ("10 mg/kg", "500 mg")."""
    match = _MAXIMUM.search(text)
    if match is None or match.start() == 0:
        return text, None
    return text[: match.start()], text[match.end() :].strip().rstrip(")").strip()


def parse_plain_amount(text: str, context: str) -> Amount:
    """A number or range followed by a unit, or "AUC 5": the unit is the longest known tail."""
    auc = _AUC.fullmatch(text)
    if auc is not None:
        return to_amount(auc.group("number"), "AUC", context)
    tokens = text.split()
    cut = find_unit_start(tokens)
    if cut is None or any(is_dose_unit(token) for token in tokens[:cut]):
        return parse_unit_range(text, context)
    return to_amount(" ".join(tokens[:cut]), normalise_unit(" ".join(tokens[cut:])), context)


def find_unit_start(tokens: list[str]) -> int | None:
    """Index of the first token of the longest tail of `tokens` that is a dose unit."""
    cuts = (cut for cut in range(1, len(tokens)) if is_dose_unit(" ".join(tokens[cut:])))
    return next(cuts, None)


def parse_unit_range(text: str, context: str) -> Amount:
    """ "1.5 mg to 2 mg": a range whose two ends both carry the same unit."""
    for separator in re.finditer(r"\s+(?:to|and)\s+|\s*[-–—]\s*", text):
        low = _read_single_amount(text[: separator.start()])
        high = _read_single_amount(text[separator.end() :])
        if low is None or high is None or low.unit != high.unit:
            continue
        if low.value is not None and high.value is not None and low.value > high.value:
            raise NormaliseError(
                f"[EM203] Range {context!r} has its low end above its high end. "
                "Check the text; write ranges low to high."
            )
        return Amount(low=low.value, high=high.value, unit=low.unit)
    raise NormaliseError(
        f"[EM205] Cannot read a dose amount in {context!r}. Write a number and a unit "
        "('0.25 mg', '1.5 to 2 mg', 'AUC 5'); add unknown units to lang/en/units.toml."
    )


def _read_single_amount(text: str) -> Amount | None:
    tokens = text.split()
    if len(tokens) < 2 or not is_dose_unit(" ".join(tokens[1:])):
        return None
    try:
        return Amount(value=parse_number(tokens[0]), unit=normalise_unit(" ".join(tokens[1:])))
    except NormaliseError:
        return None


def to_amount(number_text: str, unit: str, context: str) -> Amount:
    """One value, else a range ("1.5 to 2"); a reversed range raises."""
    try:
        return Amount(value=parse_number(number_text), unit=unit)
    except NormaliseError:
        pass
    try:
        low, high = parse_range(number_text)
    except NormaliseError as exc:
        raise NormaliseError(
            f"[EM205] Cannot read the number {number_text!r} in dose {context!r} ({exc}). "
            "Write digits, number words, or a range such as '1.5 to 2'."
        ) from exc
    return Amount(low=low, high=high, unit=unit)
