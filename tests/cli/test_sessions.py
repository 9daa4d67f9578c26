"""Recorded sessions afterwards: the Sessions window, the report (PDF read back with
poppler), ``moodplayer sessions --json`` and ``moodplayer report``; and, end to end, the
real app on a generated face video records the moods ``analyze`` reads in it."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from helpers import feel, moodplayer
from media import HAPPY_STILL, SURPRISE_STILL, expression_video

from moodplayer.core.records.record import list_sessions
from moodplayer.core.settings.schema import Lift, Profile, Settings, save_settings

needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None,
                                   reason="poppler-utils is installed by make setup")


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    home = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


@pytest.fixture
def recorded(qtbot, make_app, tmp_path, data_home):
    """A real app session of profile Anna, recorded: sad (lifted towards happy), happy, an
    override and a pause. Returns (config path, app)."""
    config = tmp_path / "settings.toml"
    save_settings(config, Settings(profiles={"Anna": Profile(
        record_sessions=True, lift={"sad": Lift("happy", 2)})}, active_profile="Anna"))
    app = make_app(config=str(config))
    app.start()
    feel(app.session, "sad")
    app.session.next()
    feel(app.session, "happy")
    app.session.choose("neutral")
    app.session.choose(None)
    app.session.pause()
    app.shutdown()
    return config, app


def test_sessions_json_lists_the_profiles_sessions_oldest_first(recorded):
    config, _ = recorded
    result = moodplayer("sessions", "--config", str(config), "--json")
    assert result.returncode == 0, result.stderr
    [s] = json.loads(result.stdout)["sessions"]
    assert {"id", "profile", "start", "duration_s", "moods", "tracks", "time_per_mood"} <= set(s)
    assert s["profile"] == "Anna" and [m["mood"] for m in s["moods"]] == ["sad", "happy"]
    assert all(m["why"] for m in s["moods"]) and s["tracks"][0]["title"]
    assert set(s["time_per_mood"]) == {"sad", "happy"}
    other = moodplayer("sessions", "--config", str(config), "--profile", "Nobody", "--json")
    assert other.returncode == 2 and "no profile named 'Nobody'" in other.stderr


@needs_poppler
def test_report_pdf_has_ink_moods_and_track_titles(recorded, tmp_path):
    config, _ = recorded
    [record] = list_sessions("Anna")
    out = tmp_path / "report.pdf"
    result = moodplayer("report", "latest", "--out", str(out), "--config", str(config))
    assert result.returncode == 0, result.stderr
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(out), str(tmp_path / "page")],
                   check=True)
    from PySide6.QtGui import QImage

    [png] = list(tmp_path.glob("page*.png"))
    page = QImage(str(png))
    dark = sum(1 for x in range(0, page.width(), 2) for y in range(0, page.height(), 2)
               if (page.pixel(x, y) & 0xFF) < 128)
    assert dark > 200, "the first page is blank"
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Anna" in text and "sad" in text and "happy" in text
    for track in record.tracks:
        assert track["title"].split()[0] in text
    assert "Lifts" in text and "happy" in text.split("Lifts", 1)[1]  # the lift and its target


def test_report_html_and_bad_requests(recorded, tmp_path):
    config, _ = recorded
    [record] = list_sessions("Anna")
    out = tmp_path / "report.html"
    result = moodplayer("report", record.id, "--out", str(out), "--config", str(config))
    assert result.returncode == 0, result.stderr
    html = out.read_text()
    assert "data:image/png;base64," in html and "Time in each mood" in html and record.tracks[0]["title"] in html
    unknown = moodplayer("report", "1999-01-01T00-00-00", "--out", str(tmp_path / "x.pdf"),
                         "--config", str(config))
    assert unknown.returncode == 2 and len(unknown.stderr.strip().splitlines()) == 1
    assert "no session '1999-01-01T00-00-00'" in unknown.stderr
    wrong = moodplayer("report", "--out", str(tmp_path / "x.doc"), "--config", str(config))
    assert wrong.returncode == 2 and ".pdf or an .html" in wrong.stderr


def test_the_sessions_window_lists_opens_reports_and_deletes(recorded, qtbot, make_app, tmp_path):
    config, _ = recorded
    (list_sessions("Anna")[0].path.parent / "2000-01-01T00-00-00.jsonl").write_text("{broken\n")
    app = make_app(config=str(config))  # not recording: Anna records only once started
    app.window.actions_by_name["Sessions…"].trigger()
    window = app.sessions.dialog
    assert window.isVisible() and window.table.rowCount() == 2
    cells = [window.table.item(r, 5).text() for r in range(2)]
    assert cells[0].startswith("damaged") and cells[1] == ""  # oldest first; the other opens
    assert window.table.item(1, 2).text() == "sad" and window.table.item(1, 3).text() == "happy"
    window.open_button.click()
    assert window.timeline_dialog.view.data.markers  # its timeline, with the markers
    window.report_requested.emit(window.selected_id(), str(tmp_path / "r.pdf"))  # as the file dialog would
    assert (tmp_path / "r.pdf").stat().st_size > 1000 and "Report written" in window.message.text()
    window.table.selectRow(0)
    window.delete_button.click()
    assert window.table.rowCount() == 2  # asked first
    window.delete_button.click()
    assert window.table.rowCount() == 1
    window.delete_all_button.click()
    window.delete_all_button.click()
    assert window.table.rowCount() == 0 and list_sessions("Anna") == []
    window.timeline_dialog.close()
    window.close()



def test_the_real_app_records_the_moods_analyze_reads(qtbot, make_app, tmp_path, data_home):
    video = expression_video(tmp_path / "faces.mp4", [(HAPPY_STILL, 8), (SURPRISE_STILL, 10)])
    config = tmp_path / "settings.toml"
    save_settings(config, Settings(profiles={"Default": Profile(record_sessions=True)}))
    analyzed = moodplayer("analyze", str(video), "--json", "--config", str(config))
    assert analyzed.returncode == 0, analyzed.stderr
    wanted = [m["mood"] for m in json.loads(analyzed.stdout)["moods"]]
    assert wanted == ["happy", "surprise"]
    app = make_app(source=str(video), config=str(config))
    app.start()
    qtbot.waitUntil(lambda: len(app.mood_history) >= len(wanted), timeout=90_000)
    app.shutdown()
    [record] = list_sessions("Default")
    assert [m["mood"] for m in record.moods][:len(wanted)] == wanted
    assert record.moods[0]["why"].startswith("happy: ") and record.ended
