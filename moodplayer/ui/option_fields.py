"""Dialog fields made from setting declarations (core/options.py): the range, the step,
the unit, the choices and the tooltip all come from the one declaration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox, QWidget

from moodplayer.core.settings.options import Option


def editor_for(option: Option) -> QWidget:
    editor: QWidget
    if option.choices is not None:
        combo = QComboBox()
        combo.addItems(list(option.choices))
        editor = combo
    elif option.kind is bool:
        editor = QCheckBox()
    elif option.kind is float:
        real = QDoubleSpinBox()
        real.setDecimals(2)
        if option.range is not None:
            real.setRange(*option.range)
        real.setSingleStep(option.step or 0.1)
        real.setSuffix(f" {option.unit}" if option.unit else "")
        editor = real
    elif option.kind is int:
        whole = QSpinBox()
        if option.range is not None:
            whole.setRange(int(option.range[0]), int(option.range[1]))
        whole.setSuffix(f" {option.unit}" if option.unit else "")
        editor = whole
    else:
        editor = QLineEdit()
    editor.setObjectName(option.name)
    editor.setToolTip(option.help)
    editor.setAccessibleName(option.title)
    return editor


def value_of(editor: QWidget) -> Any:
    if isinstance(editor, QComboBox):
        return editor.currentText()
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, (QDoubleSpinBox, QSpinBox)):
        return editor.value()
    if isinstance(editor, QLineEdit):
        return editor.text().strip()
    raise TypeError(f"not a setting's editor: {editor!r}")


def show_value(editor: QWidget, value: Any) -> None:
    if isinstance(editor, QComboBox):
        editor.setCurrentText(str(value))
    elif isinstance(editor, QCheckBox):
        editor.setChecked(bool(value))
    elif isinstance(editor, (QDoubleSpinBox, QSpinBox)):
        editor.setValue(value)
    elif isinstance(editor, QLineEdit):
        editor.setText(str(value))


def on_edit(editor: QWidget, slot: Callable[..., object]) -> None:
    """Call ``slot`` whenever the user changes the value."""
    if isinstance(editor, QComboBox):
        editor.currentTextChanged.connect(slot)
    elif isinstance(editor, QCheckBox):
        editor.toggled.connect(slot)
    elif isinstance(editor, (QDoubleSpinBox, QSpinBox)):
        editor.valueChanged.connect(slot)
    elif isinstance(editor, QLineEdit):
        editor.textChanged.connect(slot)
