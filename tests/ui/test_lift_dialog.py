"""The settings dialog refuses a lift towards its own mood or an unknown mood in the field,
with the same words as the settings file (core/session/lift.py)."""

from __future__ import annotations


def test_lift_towards_itself_or_an_unknown_mood_is_refused_in_the_field(make_app, qtbot):
    app = make_app()
    dialog = app.open_settings()
    qtbot.addWidget(dialog)
    row = dialog.rows["sad"]
    row.strategy.setCurrentText("lift")
    row.target.setCurrentText("sad")
    assert row.problem.text() == "lift target: cannot lift sad towards itself"
    applied = app.settings.profile.lift  # what was valid before (the dialog's default: happy)
    assert not dialog.ok_button.isEnabled() and applied["sad"].target == "happy"
    row.target.setCurrentText("hapy")
    assert row.problem.text().startswith("lift target: unknown mood 'hapy'")
    assert not dialog.ok_button.isEnabled() and app.settings.profile.lift["sad"].target == "happy"
    row.target.setCurrentText("neutral")
    assert row.problem.text() == "" and app.settings.profile.lift["sad"].target == "neutral"
    dialog.reject()
