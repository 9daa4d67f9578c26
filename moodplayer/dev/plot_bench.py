"""How much one live-timeline update and repaint costs the GUI thread, drawn three ways:
QPainter (ui/timeline.py, what the app uses), pyqtgraph and QtCharts (PySide6-Addons).
Ten minutes of shares (7 moods x 1200 samples) in a 1080 x 150 px widget, offscreen;
docs/performance.md has the figures and the choice. pyqtgraph and PySide6-Addons are not
MoodPlayer dependencies: install them into a scratch folder to compare
(``PYTHONPATH=scratch QT_QPA_PLATFORM=offscreen python -m moodplayer.dev.plot_bench pyqtgraph``).
"""
import json
import random
import statistics
import sys
import time

which = sys.argv[1] if len(sys.argv) > 1 else "qpainter"
t_import = time.perf_counter()
from PySide6.QtWidgets import QApplication  # noqa: E402 (timed: the import is part of the figure)

app = QApplication([])
from moodplayer.core.emotions import EMOTIONS  # noqa: E402 (after the QApplication, as the app does)

N = 1200
random.seed(0)
data = [[random.random() for _ in EMOTIONS] for _ in range(N)]
if which == "qpainter":
    from moodplayer.core.records.timeline import TimelineData
    from moodplayer.ui.timeline import TimelineView
    imp = time.perf_counter() - t_import
    d = TimelineData(span_s=600, resolution_s=0.5)
    for i, row in enumerate(data):
        d.add_shares(i * 0.5, dict(zip(EMOTIONS, row)), "sad")
    w = TimelineView(d)
    def update(i):
        d.add_shares(600 + i * 0.5, dict(zip(EMOTIONS, data[i % N])), "happy")
elif which == "pyqtgraph":
    import pyqtgraph as pg
    imp = time.perf_counter() - t_import
    w = pg.PlotWidget()
    curves = [w.plot(pen=pg.mkPen(width=1)) for _ in EMOTIONS]
    xs = [i * 0.5 for i in range(N)]
    cols = list(zip(*data))
    def update(i):
        xs.append(xs[-1] + 0.5)
        xs.pop(0)
        for k, c in enumerate(curves):
            ys = list(cols[k])
            ys.append(random.random())
            ys.pop(0)
            c.setData(xs, ys)
else:
    from PySide6.QtCharts import QChart, QChartView, QLineSeries
    from PySide6.QtCore import QPointF
    imp = time.perf_counter() - t_import
    chart = QChart()
    series = []
    for k in range(len(EMOTIONS)):
        s = QLineSeries()
        s.replace([QPointF(i * 0.5, data[i][k]) for i in range(N)])
        chart.addSeries(s)
        series.append(s)
    chart.createDefaultAxes()
    w = QChartView(chart)
    def update(i):
        for s in series:
            s.remove(0)
            s.append(QPointF(600 + i * 0.5, random.random()))
        chart.axes()[0].setRange(i * 0.5, 600 + i * 0.5)
w.resize(1080, 150)
w.show()
app.processEvents()
times = []
for i in range(60):
    t0 = time.perf_counter()
    update(i)
    w.grab()  # a full repaint, as the window would do
    times.append((time.perf_counter() - t0) * 1000)
times.sort()
print(json.dumps({"lib": which, "import_s": round(imp, 3), "update_paint_ms_p50": round(statistics.median(times), 2),
                  "p95": round(times[int(0.95 * len(times))], 2)}))
