"""One way from the settings file to what a command actually uses.

``settings + profile + command-line overrides -> Effective``: ``run``, ``analyze``,
``eval`` and ``bench`` all go through ``effective_config``, so the analyzer and the mood
window of a command are the app's, as configured.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moodplayer.core.session.mood_window import WindowConfig
from moodplayer.core.settings.schema import (
    PROFILE_OPTIONS,
    SETTINGS_OPTIONS,
    Profile,
    Settings,
    load_settings,
)


class ConfigError(ValueError):
    """A profile or an override that cannot be used; the message says why."""


@dataclass
class Effective:
    settings: Settings  # a copy: the overrides applied, the profile made active
    problems: list[str] = field(default_factory=list)  # from reading the file

    @property
    def profile_name(self) -> str:
        return self.settings.active_profile

    @property
    def profile(self) -> Profile:
        return self.settings.profile

    @property
    def window(self) -> WindowConfig:
        return window_config(self.profile)

    def summary(self) -> dict[str, Any]:
        """What a command used, for its JSON output."""
        p, s = self.profile, self.settings
        return {"profile": self.profile_name, "window_s": p.window_s, "margin": p.margin,
                "min_dwell_s": p.min_dwell_s, "engine": s.engine, "detector": s.detector,
                "adaptive_rate": s.adaptive_rate}


def window_config(profile: Profile) -> WindowConfig:
    return WindowConfig(window_s=profile.window_s, margin=profile.margin,
                        min_dwell_s=profile.min_dwell_s, no_face_timeout_s=profile.no_face_timeout_s)


def effective_config(settings: Settings, profile: str | None = None,
                     overrides: dict[str, Any] | None = None) -> Effective:
    """``settings`` with ``profile`` active and ``overrides`` (setting name -> value, None =
    not given) applied, each validated by its declaration. Raises ConfigError."""
    chosen = copy.deepcopy(settings)
    if profile is not None:
        if profile not in chosen.profiles:
            names = ", ".join(chosen.profiles) or "none"
            raise ConfigError(f"no profile named {profile!r} (profiles: {names})")
        chosen.active_profile = profile
    for name, value in (overrides or {}).items():
        if value is None:
            continue
        option = SETTINGS_OPTIONS.get(name) or PROFILE_OPTIONS.get(name)
        if option is None:
            raise ConfigError(f"{name} is not a setting")
        reason = option.validate(value)
        if reason is not None:
            raise ConfigError(f"{option.cli or name} {value}: {reason}")
        target = chosen if name in SETTINGS_OPTIONS else chosen.profile
        setattr(target, name, option.coerce(value))
    return Effective(chosen)


def load_effective(path: Path | None, profile: str | None = None,
                   overrides: dict[str, Any] | None = None) -> Effective:
    """The settings file at ``path`` (None: the built-in defaults), then ``effective_config``.
    A damaged file never stops a command: its problems are reported in ``problems``, and the
    file is left as it is (only the app, which writes settings back, keeps a copy aside).
    A file that is not a settings file at all (a playlist given as --config, a FIFO) is a
    ConfigError: the command stops, the file untouched."""
    loaded = load_settings(path, keep_aside=False) if path is not None else None
    if loaded is not None and loaded.refused:
        raise ConfigError(f"{loaded.refused}; it was left as it is")
    settings = loaded.settings if loaded else Settings()
    effective = effective_config(settings, profile, overrides)
    effective.problems = list(loaded.problems) if loaded else []
    return effective
