"""A holder that keeps a label's text changes from re-laying out the whole window.

``QLabel.setText`` asks every layout from the label up to the window to be redone, even
when the new text takes the same room (the mood's "62 %" becoming "58 %", the position's
"1:23" becoming "1:24"): with the mood, the position and the analysis rate changing seven
times a second, the main window was laid out again seven times a second, its tool bar and
central widget animated into place each time (0.005 of a core, docs/performance.md, "The
fifth round"). Qt passes the request on only to a parent that has a layout; this holder has
none, so the request stops here, and the holder asks for a new layout only when the
label's size hints did change.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtWidgets import QWidget


class SteadyBox(QWidget):
    """``child`` alone, filling the holder; the holder's size hints are the child's."""

    def __init__(self, child: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.child = child
        child.setParent(self)
        self.setSizePolicy(child.sizePolicy())
        self._hints = self._child_hints()

    def _child_hints(self) -> tuple[QSize, QSize]:
        return self.child.sizeHint(), self.child.minimumSizeHint()

    def sizeHint(self) -> QSize:
        return self.child.sizeHint()

    def minimumSizeHint(self) -> QSize:
        return self.child.minimumSizeHint()

    def event(self, event) -> bool:
        # the child's updateGeometry() lands here as a LayoutRequest (no layout to take it)
        if event.type() == QEvent.Type.LayoutRequest:
            self._follow_hints()
            return True
        # ... but only while the holder can be seen: Qt posts none to a hidden parent, so a
        # text that changed while the window was hidden (in the tray, not shown yet) is
        # looked at as it is shown
        if event.type() == QEvent.Type.Show:
            self._follow_hints()
        return super().event(event)

    def _follow_hints(self) -> None:
        hints = self._child_hints()
        if hints != self._hints:
            self._hints = hints
            self.updateGeometry()

    def resizeEvent(self, event) -> None:
        self.child.setGeometry(self.rect())
        super().resizeEvent(event)
