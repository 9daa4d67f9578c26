"""What the packaged app does at start that can be checked without building it (the bundle
itself is checked by `make package-test`)."""

from __future__ import annotations

import importlib.util

import pytest

from moodplayer.system.bundle import OnnxRuntimeLeftOut, prepare


def test_the_left_out_onnxruntime_answers_deepfaces_check_and_refuses_real_use():
    finder = OnnxRuntimeLeftOut()
    assert finder.find_spec("numpy") is None and finder.find_spec("onnxruntimes") is None
    spec = finder.find_spec("onnxruntime")
    assert spec is not None and finder.find_spec("onnxruntime.capi") is not None
    module = importlib.util.module_from_spec(spec)
    with pytest.raises(ImportError, match="not part of the MoodPlayer bundle"):
        spec.loader.exec_module(module)


def test_outside_the_bundle_nothing_is_changed():
    import sys

    before = list(sys.meta_path)
    assert prepare() is None
    assert sys.meta_path == before  # the real onnxruntime stays importable in development
