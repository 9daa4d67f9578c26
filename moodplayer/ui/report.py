"""A session's report, as PDF or HTML, made with Qt alone (QTextDocument, QPdfWriter,
QPainter): profile, date, duration, the timeline as a picture, time in each mood (table
and bars), mood at start vs end, the tracks with the moods while each played, each lift
and whether and when the mood reached its target, overrides and pauses.

The pictures are drawn from the record's numbers (the same ``paint_timeline`` as the
window); no face or frame is in a record, so none can be in a report."""

from __future__ import annotations

import base64
import errno
import html
import os
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from moodplayer.core.emotions import EMOTIONS
from moodplayer.core.files.atomic import write_text_atomically, write_through_atomically
from moodplayer.core.files.reading import is_regular_file
from moodplayer.core.records.record import SessionRecord
from moodplayer.core.records.timeline import TimelineData
from moodplayer.ui.sessions_window import fmt_duration
from moodplayer.ui.timeline import MOOD_COLOURS, paint_timeline

FORMATS = (".pdf", ".html")


class ReportError(ValueError):
    """The report cannot be written; the message says why."""


def timeline_image(record: SessionRecord, width: int = 1400, height: int = 380) -> QImage:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    font = QFont(p.font())
    font.setPixelSize(24)
    p.setFont(font)
    paint_timeline(p, QRectF(0, 0, width, height), TimelineData.from_record(record), relative=False,
                   text=QColor("#202020"), line_width=3.0, band_h=24)
    p.end()
    return image


def bars_image(per_mood: dict[str, float], width: int = 1200, row: int = 44) -> QImage:
    """Time in each mood as horizontal bars, the seven moods always in the same order."""
    total = sum(per_mood.values()) or 1.0
    image = QImage(width, row * len(EMOTIONS) + 10, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    font = QFont(p.font())
    font.setPixelSize(24)
    p.setFont(font)
    label_w, text_w = 170, 230
    for i, mood in enumerate(EMOTIONS):
        y = 5 + i * row
        seconds = per_mood.get(mood, 0.0)
        p.setPen(QColor("#202020"))
        p.drawText(QRectF(0, y, label_w, row - 8), Qt.AlignmentFlag.AlignVCenter, mood)
        bar_w = (width - label_w - text_w) * seconds / total
        p.fillRect(QRectF(label_w, y + 4, max(bar_w, 1.0), row - 16), MOOD_COLOURS[mood])
        p.drawText(QRectF(label_w + bar_w + 10, y, text_w, row - 8), Qt.AlignmentFlag.AlignVCenter,
                   f"{fmt_duration(seconds)} ({100 * seconds / total:.0f} %)")
    p.end()
    return image


def _png_data_uri(image: QImage) -> str:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # its stub wants bytes; PySide6 takes only str
    return "data:image/png;base64," + base64.b64encode(data.data()).decode("ascii")


def _table(head: tuple[str, ...], rows: list[tuple]) -> str:
    if not rows:
        return "<p><i>none</i></p>"
    th = "".join(f"<th align='left'>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table border='1' cellspacing='0' cellpadding='4' width='100%'><tr>{th}</tr>{body}</table>"


def report_html(record: SessionRecord, timeline_src: str, bars_src: str) -> str:
    e = html.escape
    per_mood = record.time_per_mood()
    total = sum(per_mood.values()) or 1.0
    mood_rows = [(m, fmt_duration(per_mood[m]), f"{100 * per_mood[m] / total:.0f} %")
                 for m in EMOTIONS if m in per_mood]
    track_rows = [(fmt_duration(t["start"]), t["title"], fmt_duration(t["end"] - t["start"]), t["how"],
                   " → ".join(record.moods_during(t["start"], t["end"])) or "–") for t in record.tracks]
    lift_rows = [(fmt_duration(lift["t"]), lift["mood"], lift["target"],
                  "not reached" if lift["reached_after_s"] is None
                  else f"reached after {fmt_duration(lift['reached_after_s'])}")
                 for lift in record.lifts()]
    override_rows = [(fmt_duration(o["t"]), o.get("name") or "Auto (the mood decides again)")
                     for o in record.of("override")]
    pause_rows = [(fmt_duration(p["t"]), p["type"], p.get("by", "")) for p in record.lines
                  if p.get("type") in ("pause", "resume")]
    change_rows = [(fmt_duration(m["t"]), m["mood"], m.get("why", "")) for m in record.moods]
    damaged = (f"<p style='color:#b00020'>This record is damaged ({e(record.damaged)}); "
               "what could be read is shown.</p>" if record.damaged else "")
    return f"""<html><head><meta charset="utf-8"><title>Session {e(record.id)}</title></head><body>
<h1>MoodPlayer session report</h1>
<p><b>Profile:</b> {e(record.profile)}<br><b>Date:</b> {e(record.start.replace("T", " "))}<br>
<b>Duration:</b> {fmt_duration(record.duration_s)}<br>
<b>Mood at start:</b> {e(record.mood_at_start or "–")} &nbsp; <b>at the end:</b> {e(record.mood_at_end or "–")}</p>
{damaged}
<h2>Timeline</h2>
<p><img src="{timeline_src}" width="640"></p>
<p><small>Lines: each mood's share of the mood window. Band: the decided mood. Triangles:
mood switches, track changes, overrides and pauses. Grey: no face.</small></p>
<h2>Time in each mood</h2>
{_table(("Mood", "Time", "Share"), mood_rows)}
<p><img src="{bars_src}" width="480"></p>
<h2>Mood changes</h2>
{_table(("At", "Mood", "Why"), change_rows)}
<h2>Tracks</h2>
{_table(("At", "Title", "Played", "Ended", "Mood while it played"), track_rows)}
<h2>Lifts</h2>
{_table(("At", "From", "Towards", "Target mood"), lift_rows)}
<h2>Overrides</h2>
{_table(("At", "The user chose"), override_rows)}
<h2>Pauses</h2>
{_table(("At", "What", "By"), pause_rows)}
</body></html>"""


def write_report(record: SessionRecord, out: Path) -> Path:
    """Writes ``out`` (.pdf or .html) through a temporary file beside it, so a failure (a
    full disk) keeps the old ``out`` whole and leaves nothing else. Needs a
    QGuiApplication. Raises ReportError."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ReportError(f"{out.name}: the report is a .pdf or an .html file")
    if not out.parent.is_dir():
        raise ReportError(f"{out.parent} is not a folder")
    if out.exists() and not is_regular_file(out):
        raise ReportError(f"{out} is not a file: the report is not written over it")
    timeline, bars = timeline_image(record), bars_image(record.time_per_mood())
    try:
        if suffix == ".html":
            text = report_html(record, _png_data_uri(timeline), _png_data_uri(bars))
            write_text_atomically(out, text)
        else:
            write_through_atomically(out, lambda tmp: _write_pdf(record, timeline, bars, tmp))
    except OSError as err:
        raise ReportError(f"cannot write {out}: {err.strerror or err}; "
                          + ("the old report is kept" if out.exists() else "nothing was written")) from err
    return out


def _write_pdf(record: SessionRecord, timeline: QImage, bars: QImage, path: Path) -> None:
    """The PDF at ``path``; OSError when it is not whole (QPdfWriter says nothing when the
    disk fills up: the file just ends early)."""
    doc = QTextDocument()
    doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl("moodplayer:timeline.png"), timeline)
    doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl("moodplayer:bars.png"), bars)
    doc.setHtml(report_html(record, "moodplayer:timeline.png", "moodplayer:bars.png"))
    writer = QPdfWriter(str(path))
    writer.setTitle(f"MoodPlayer session {record.id} ({record.profile})")
    writer.setCreator("MoodPlayer")
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait, QMarginsF(15, 15, 15, 15),
                                     QPageLayout.Unit.Millimeter))
    doc.print_(writer)
    del writer  # closes the file
    with open(path, "rb") as fh:
        fh.seek(max(0, os.fstat(fh.fileno()).st_size - 64))
        if b"%%EOF" not in fh.read():
            raise OSError(errno.EIO, "the PDF could not be written whole (is the disk full?)")
