"""The Sessions window: the active profile's recorded sessions (date, length, mood at start
and end, time in each mood); open one to see its timeline; a report; delete one or all.

Shows records and emits intents (open, report, delete); the app does the rest
(app/sessions.py). A delete asks twice, without a modal box: the button first says what
it is about to delete, the second click does it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from moodplayer.core.records.record import SessionRecord
from moodplayer.core.records.timeline import TimelineData
from moodplayer.ui.timeline import TimelineView

COLUMNS = ("Date", "Length", "Mood at start", "Mood at end", "Time in each mood", "State")


def fmt_duration(seconds: float) -> str:
    minutes, s = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{s:02d}" if hours else f"{minutes}:{s:02d}"


def time_per_mood_text(record: SessionRecord) -> str:
    per = sorted(record.time_per_mood().items(), key=lambda kv: -kv[1])
    return ", ".join(f"{mood} {fmt_duration(s)}" for mood, s in per)


class SessionTimelineDialog(QDialog):
    """One session's whole timeline; markers explain themselves under the pointer."""

    def __init__(self, record: SessionRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Session {record.start or record.id} — {record.profile}")
        self.resize(900, 300)
        self.view = TimelineView(TimelineData.from_record(record), relative=False)
        layout = QVBoxLayout(self)
        summary = QLabel(f"{record.start.replace('T', ' ')} · {fmt_duration(record.duration_s)} · "
                         f"{record.mood_at_start or '–'} → {record.mood_at_end or '–'}"
                         + (f" · damaged: {record.damaged}" if record.damaged else ""))
        layout.addWidget(summary)
        layout.addWidget(self.view, 1)


class SessionsWindow(QDialog):
    open_requested = Signal(str)  # a session id
    report_requested = Signal(str, str)  # a session id, the report file (.pdf or .html)
    delete_requested = Signal(str)
    delete_all_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionsWindow")
        self.setWindowTitle("Sessions")
        self.resize(820, 360)
        self.records: list[SessionRecord] = []
        self.heading = QLabel()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.cellDoubleClicked.connect(lambda row, _col: self._open())
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.open_button = QPushButton("Open timeline")
        self.report_button = QPushButton("Report…")
        self.delete_button = QPushButton("Delete")
        self.delete_all_button = QPushButton("Delete all")
        self.open_button.clicked.connect(self._open)
        self.report_button.clicked.connect(self._report)
        self.delete_button.clicked.connect(self._delete)
        self.delete_all_button.clicked.connect(self._delete_all)
        buttons = QHBoxLayout()
        for b in (self.open_button, self.report_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_all_button)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self._armed: str | None = None  # which delete the next click confirms

    # --- showing --------------------------------------------------------------------------
    def show_sessions(self, profile: str, records: list[SessionRecord]) -> None:
        self.records = list(records)
        self.heading.setText(f"Sessions of <b>{profile}</b>: {len(records)}")
        self.table.setRowCount(len(records))
        for row, r in enumerate(records):
            cells = (r.start.replace("T", " ") or r.id, fmt_duration(r.duration_s),
                     r.mood_at_start or "–", r.mood_at_end or "–", time_per_mood_text(r),
                     f"damaged: {r.damaged}" if r.damaged else ("" if r.ended else "not closed"))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, r.id)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        if records:
            self.table.selectRow(len(records) - 1)  # the newest
        self._disarm()
        self._selection_changed()

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def open_timeline(self, record: SessionRecord) -> SessionTimelineDialog:
        dialog = SessionTimelineDialog(record, self)
        dialog.open()
        self.timeline_dialog = dialog
        return dialog

    # --- intents --------------------------------------------------------------------------
    def _selection_changed(self) -> None:
        chosen = self.selected_id() is not None
        for b in (self.open_button, self.report_button, self.delete_button):
            b.setEnabled(chosen)
        self.delete_all_button.setEnabled(bool(self.records))
        self._disarm()

    def _open(self) -> None:
        if (sid := self.selected_id()) is not None:
            self.open_requested.emit(sid)

    def _report(self) -> None:
        sid = self.selected_id()
        if sid is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save the session report", f"session-{sid}.pdf",
                                              "PDF (*.pdf);;HTML (*.html)")
        if path:
            self.report_requested.emit(sid, path)

    def _delete(self) -> None:
        sid = self.selected_id()
        if sid is None:
            return
        if self._armed != sid:
            self._disarm()
            self._armed = sid
            self.delete_button.setText("Really delete this session?")
            return
        self._disarm()
        self.delete_requested.emit(sid)

    def _delete_all(self) -> None:
        if self._armed != "*":
            self._disarm()
            self._armed = "*"
            self.delete_all_button.setText(f"Really delete all {len(self.records)}?")
            return
        self._disarm()
        self.delete_all_requested.emit()

    def _disarm(self) -> None:
        self._armed = None
        self.delete_button.setText("Delete")
        self.delete_all_button.setText("Delete all")
