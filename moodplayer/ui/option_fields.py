"""Dialog fields made from setting declarations (core/options.py): the range, the step,
the unit, the choices and the tooltip all come from the one declaration."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox, QWidget

from moodplayer.core.settings.options import Option


def editor_for(option: Option) -> QWidget:
    if option.choices is not None:
        editor = QComboBox()
        editor.addItems(list(option.choices))
    elif option.kind is bool:
        editor = QCheckBox()
    elif option.kind is float:
        editor = QDoubleSpinBox()
        editor.setDecimals(2)
        editor.setRange(*option.range)
        editor.setSingleStep(option.step or 0.1)
        editor.setSuffix(f" {option.unit}" if option.unit else "")
    elif option.kind is int:
        editor = QSpinBox()
        editor.setRange(*(int(v) for v in option.range))
        editor.setSuffix(f" {option.unit}" if option.unit else "")
    else:
        editor = QLineEdit()
    editor.setObjectName(option.name)
    editor.setToolTip(option.help)
    editor.setAccessibleName(option.title)
    return editor


def value_of(editor: QWidget):
    if isinstance(editor, QComboBox):
        return editor.currentText()
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, (QDoubleSpinBox, QSpinBox)):
        return editor.value()
    return editor.text().strip()


def show_value(editor: QWidget, value) -> None:
    if isinstance(editor, QComboBox):
        editor.setCurrentText(str(value))
    elif isinstance(editor, QCheckBox):
        editor.setChecked(bool(value))
    elif isinstance(editor, (QDoubleSpinBox, QSpinBox)):
        editor.setValue(value)
    else:
        editor.setText(str(value))


def on_edit(editor: QWidget, slot) -> None:
    """Call ``slot`` whenever the user changes the value."""
    if isinstance(editor, QComboBox):
        editor.currentTextChanged.connect(slot)
    elif isinstance(editor, QCheckBox):
        editor.toggled.connect(slot)
    elif isinstance(editor, (QDoubleSpinBox, QSpinBox)):
        editor.valueChanged.connect(slot)
    else:
        editor.textChanged.connect(slot)
