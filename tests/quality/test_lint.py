"""The linters and the type checker, as real processes over the tree (`make test` runs them):
ruff (pyproject.toml [tool.ruff]), mypy ([tool.mypy]: strict on the Qt-free core, default
elsewhere) and import-linter's layer contracts ([tool.importlinter]). A failure shows the
tool's own output. Their caches (.ruff_cache, .mypy_cache, .import_linter_cache) keep a run
to about a second once warm."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the venv's own tools (the `test` extra installs them)


def tool(name: str) -> str:
    found = BIN / name
    if found.is_file():
        return str(found)
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: `pip install -e '.[test]'` (make setup) brings it")
    return path


def run(*args: str, cwd: Path = ROOT, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NO_COLOR": "1", "MYPY_FORCE_COLOR": "0"}
    return subprocess.run(args, cwd=cwd, env=env, input=stdin, capture_output=True, text=True,
                          timeout=600)


def output(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n{result.stdout}{result.stderr}"


def test_ruff_is_clean():
    result = run(tool("ruff"), "check", ".")
    assert result.returncode == 0, output(result)


def test_ruff_checks_the_package_with_the_project_rules():
    # an unused import in a module of the package: what `ruff check .` must catch there
    result = run(tool("ruff"), "check", "--stdin-filename", "moodplayer/core/probe.py", "-",
                 stdin="import os\n")
    assert result.returncode == 1 and "F401" in result.stdout, output(result)


def test_mypy_is_clean():
    result = run(tool("mypy"))
    assert result.returncode == 0, output(result)
    checked = re.search(r"no issues found in (\d+) source files", result.stdout)
    assert checked and int(checked.group(1)) > 50, output(result)  # the package, not nothing


def test_mypy_is_strict_on_the_core_only(tmp_path):
    """The configuration does what it says: an unannotated function is an error in
    moodplayer.core, and fine in the widgets."""
    for package in ("moodplayer", "moodplayer/core", "moodplayer/ui"):
        (tmp_path / package).mkdir(exist_ok=True)
        (tmp_path / package / "__init__.py").write_text("")
    for package in ("core", "ui"):
        (tmp_path / "moodplayer" / package / "probe.py").write_text("def twice(x):\n    return 2 * x\n")
    # a cache of its own (the probe's moodplayer is not the tree's), kept warm between runs
    result = run(tool("mypy"), "--config-file", str(ROOT / "pyproject.toml"), "--cache-dir",
                 str(ROOT / ".mypy_cache" / "probe"), "moodplayer/core/probe.py", "moodplayer/ui/probe.py",
                 cwd=tmp_path)
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1 and errors[0].startswith("moodplayer/core/probe.py:1:"), output(result)
    assert "[no-untyped-def]" in errors[0], output(result)


# A silenced finding says which one and why: a ruff suppression names its code and gives the
# reason in brackets, a mypy one names its code in square brackets and a second comment says why.
NOQA = re.compile(r"#\s*noqa\b(?!: [A-Z]+\d+(, [A-Z]+\d+)* \(.+\))")
IGNORE = re.compile(r"#\s*type:\s*ignore\b(?!\[[a-z-]+(, [a-z-]+)*\]  # \S)")


def test_every_silenced_finding_says_which_and_why():
    bare = []
    for folder in ("moodplayer", "tests", "packaging"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".py", ".spec") or "__pycache__" in path.parts:
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if (NOQA.search(line) or IGNORE.search(line)) and path.name != "test_lint.py":
                    bare.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not bare, "\n".join(bare)


def test_import_contracts_are_kept():
    result = run(tool("lint-imports"))
    assert result.returncode == 0, output(result)
    kept = re.search(r"Contracts: (\d+) kept, 0 broken", result.stdout)
    assert kept and int(kept.group(1)) >= 5, output(result)
