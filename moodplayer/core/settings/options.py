"""Each setting declared once: type, default, range or choices, title, one-line help.

A setting is a dataclass field whose metadata holds its ``Option``; everything else is
derived from that declaration: validation of the settings file (core/settings.py), the
settings dialog's fields and ranges (ui/settings_dialog.py) and the command-line options
(cli.py). Adding a setting means adding one field here-style, nowhere else.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Option:
    name: str  # filled in from the field's name by ``options_of``
    kind: type  # bool, int, float, str, list
    default: Any
    title: str
    help: str
    range: tuple[float, float] | None = None  # inclusive bounds for int / float
    choices: tuple[str, ...] | None = None
    step: float | None = None  # the dialog's spin step
    unit: str = ""  # shown after the value in the dialog ("s", "%")
    cli: str | None = None  # the command-line flag, e.g. "--window"; None: not offered
    check: Callable[[Any], bool] | None = None  # what the type and range cannot say
    reason: str | None = None  # shown when ``check`` refuses

    def validate(self, value: Any) -> str | None:
        """None when ``value`` is fine, else the reason, in words for the user."""
        if not _has_kind(value, self.kind):
            return self.describe()
        if isinstance(value, float) and not math.isfinite(value):
            return self.describe()  # nan passes no range check it is compared with
        if self.choices is not None and value not in self.choices:
            return self.describe()
        if self.range is not None and not self.range[0] <= value <= self.range[1]:
            return self.describe()
        if self.check is not None and not self.check(value):
            return self.reason or self.describe()
        return None

    def coerce(self, value: Any) -> Any:
        """A whole number where a float is declared reads as that float (TOML writes 5.0 as 5
        when edited by hand)."""
        if self.kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        return value

    def describe(self) -> str:
        if self.reason:
            return self.reason
        if self.choices is not None:
            return f"must be one of {', '.join(self.choices)}"
        if self.kind is bool:
            return "must be true or false"
        if self.range is not None:
            lo, hi = self.range
            what = "a whole number " if self.kind is int else ""
            unit = f" {self.unit}" if self.unit else ""
            return f"must be {what}{_num(lo)}..{_num(hi)}{unit}"
        return {int: "must be a whole number", float: "must be a number",
                str: "must be text", list: "must be a list"}.get(self.kind, "has the wrong type")

    @property
    def dest(self) -> str:
        """The argparse destination of ``cli``."""
        return (self.cli or self.name).lstrip("-").replace("-", "_")


def setting(default: Any, title: str, help: str, **more: Any) -> Any:
    """A dataclass field that declares a setting (see ``Option``)."""
    kind = more.pop("kind", type(default))
    option = Option(name="", kind=kind, default=default, title=title, help=help, **more)
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata={"option": option})
    return field(default=default, metadata={"option": option})


def options_of(cls: type) -> dict[str, Option]:
    """The declared settings of a dataclass, by field name, in declaration order."""
    return {f.name: dataclasses.replace(f.metadata["option"], name=f.name)
            for f in dataclasses.fields(cls) if "option" in f.metadata}


def _has_kind(value: Any, kind: type) -> bool:
    if isinstance(value, bool):
        return kind is bool
    if kind is float:
        return isinstance(value, (int, float))
    return isinstance(value, kind)


def _num(x: float) -> str:
    return f"{x:g}"
