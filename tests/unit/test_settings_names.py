"""A profile needs a name: an empty one in the settings file is a problem of the file (the
profile is left out, the user is told), never a crash later where its files are named."""

from __future__ import annotations

import pytest

from moodplayer.core.settings.schema import DEFAULT_PROFILE, settings_from_dict


@pytest.mark.parametrize("blank", ["", " ", "\t"])
def test_a_blank_profile_name_is_left_out_and_said(blank):
    settings, problems = settings_from_dict(
        {"schema_version": 2, "active_profile": blank,
         "profiles": {blank: {"window_s": 3.0}, "Anna": {"margin": 0.3}}})
    assert list(settings.profiles) == ["Anna"] and settings.active_profile == "Anna"
    assert f"profiles.{blank!r} ignored: a profile needs a name" in problems
    assert any(p.startswith(f"active_profile = {blank!r}: must name a profile") for p in problems)


def test_a_file_whose_only_profile_is_blank_gets_the_default_profile():
    settings, problems = settings_from_dict({"schema_version": 2, "active_profile": "",
                                             "profiles": {"": {}}})
    assert list(settings.profiles) == [DEFAULT_PROFILE] and settings.active_profile == DEFAULT_PROFILE
    assert len(problems) == 2
