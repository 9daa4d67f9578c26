"""`make package-test`: the bundle on its own, as an end user would run it.

- the system's libvlc is hidden and there is no network (a private mount and network
  namespace, where allowed);
- plays a face video offscreen with libvlc writing the decoded audio to a WAV: the mood is
  detected and the audio is not silent; the libvlc it loaded is the bundle's own (checked in
  /proc/PID/maps);
- every audio format MoodPlayer promises (MP3 with ID3v2 and a cover, FLAC, Ogg Vorbis, Opus,
  M4A/AAC, WAV; encoded here with PyAV) plays from the bundle's libvlc, each listed in an M3U8
  the way VLC writes it (a percent-encoded file:// URI, in a folder with a space);
- `moodplayer analyze VIDEO --json` works; face-api's expression net runs on LiteRT
  (doctor), when make setup built its file;
- the command line's contract: every command's --help exits 0, an unknown option is one usage
  line and one error line (exit 2), `moodplayer doctor | head -c1` ends quietly;
- the bundle is at most MAX_MB on disk;
- a bundle missing a file it needs (libvlc, the emotion model) stops at start with a message
  naming the file, not a traceback.
Prints bundle size and start-up time to the first mood. Exit 0 when all holds.
"""

from __future__ import annotations

import glob
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DIST = ROOT / "dist" / "moodplayer"
EXE = DIST / "moodplayer"
MAX_MB = 350  # on disk, as `du -sm dist/moodplayer` counts it


def env_for(tmp: Path) -> dict:
    """A bare environment: no Python paths, no VLC hints, fresh config/data/cache folders."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp / "home"), "QT_QPA_PLATFORM": "offscreen",
           "XDG_CONFIG_HOME": str(tmp / "config"), "XDG_DATA_HOME": str(tmp / "data"),
           "XDG_CACHE_HOME": str(tmp / "cache"), "LANG": "C.UTF-8"}
    (tmp / "home").mkdir(exist_ok=True)
    return env


def isolated(cmd: list[str]) -> list[str]:
    """The command with no network and the system's libvlc hidden (each library file
    bind-mounted over with /dev/null in a private mount namespace), where this machine
    allows it (root, unshare); otherwise as it is, and /proc/PID/maps still shows which
    libvlc was loaded."""
    unshare = shutil.which("unshare")
    system_vlc = sorted({os.path.realpath(p) for p in glob.glob("/usr/lib/*/libvlc*.so*")
                         + glob.glob("/usr/lib/libvlc*.so*")})
    script = "".join(f"mount --bind /dev/null {shlex.quote(p)} && " for p in system_vlc)
    wrapped = [unshare or "unshare", "-mn", "sh", "-c", script + 'exec "$@"', "sh"]
    if unshare and subprocess.run([*wrapped, "true"], capture_output=True).returncode == 0:
        return [*wrapped, *cmd]
    print("note: cannot hide the system libvlc or the network here (needs root and unshare)")
    return cmd


def wav_rms(path: Path) -> float:
    with wave.open(str(path), "rb") as wf:
        x = np.frombuffer(wf.readframes(wf.getnframes()), dtype="<i2").astype(np.float64) / 32768
    return float(np.sqrt(np.mean(x**2))) if x.size else 0.0


def play_every_format(tmp: Path, video: Path, env: dict) -> dict[str, float]:
    """Each format as the happy playlist (an M3U8 as VLC writes it) of a run of the bundle on
    the happy face: {format: RMS of what libvlc decoded}."""
    from urllib.parse import quote

    from moodplayer.core.settings.schema import Profile, Settings, save_settings
    from moodplayer.dev.audio_formats import make_all, png

    music = tmp / "My Music"
    rms = {}
    for fmt, track in make_all(music, seconds=20.0, cover=png()).items():
        m3u = tmp / f"{fmt}.m3u8"
        m3u.write_text(f"#EXTM3U\n#EXTINF:20,MoodPlayer tests - {fmt}\n"
                       f"file://{quote(str(track))}\n", encoding="utf-8")
        config = tmp / f"{fmt}.toml"
        save_settings(config, Settings(profiles={"Default": Profile(playlists={"happy": str(m3u)})}))
        wav = tmp / f"{fmt}.wav"
        result = subprocess.run(isolated([str(EXE), "--source", str(video), "--config", str(config),
                                          "--audio-out", f"afile:{wav}", "--quit-after", "8"]),
                                capture_output=True, text=True, env=env, timeout=120)
        if result.returncode != 0 or not wav.is_file():
            print("\n".join("  | " + x for x in (result.stdout + result.stderr).splitlines()[-12:]))
        rms[fmt] = wav_rms(wav) if wav.is_file() else 0.0
    return rms


def check(condition: bool, what: str) -> None:
    print(("ok    " if condition else "FAIL  ") + what)
    if not condition:
        raise SystemExit(1)


def cli_contract(env: dict) -> None:
    """tests/cli/test_contract.py's core, from the bundle: every command it offers answers
    --help (exit 0, its usage), an unknown option is its usage line and one error line
    (exit 2), and a closed stdout pipe (`moodplayer doctor | head -c1`) ends quietly."""
    from moodplayer.commands import COMMANDS, command_module

    offered = [c for c in COMMANDS if not command_module(c).DEV_ONLY]
    for command in ["", *offered]:
        given = [command] if command else []
        result = subprocess.run(isolated([str(EXE), *given, "--help"]), capture_output=True,
                                text=True, env=env, timeout=120)
        usage = f"usage: moodplayer {command}".rstrip() + " "
        check(result.returncode == 0 and result.stdout.startswith(usage) and not result.stderr,
              f"moodplayer {command} --help: exit 0 with its usage".replace("  ", " "))
        result = subprocess.run(isolated([str(EXE), *given, "--no-such-option"]), capture_output=True,
                                text=True, env=env, timeout=120)
        said = result.stderr.strip().splitlines()
        check(result.returncode == 2 and len(said) == 2 and "Traceback" not in result.stderr
              and said[0].startswith(f"usage: moodplayer {command or 'run'} "),
              f"moodplayer {command} --no-such-option: usage and one line, exit 2: {said}".replace("  ", " "))
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written, as after `head -c1`
    try:
        result = subprocess.run(isolated([str(EXE), "doctor"]), stdout=write_end,
                                stderr=subprocess.PIPE, text=True, env=env, timeout=120)
    finally:
        os.close(write_end)
    check(result.returncode in (0, 1) and not result.stderr,
          f"moodplayer doctor | head -c1: ends quietly (exit {result.returncode}): {result.stderr[-300:]}")


def main() -> int:
    check(EXE.is_file(), f"bundle built: {EXE}")
    # blocks in use, files and folders, as du counts them (not the files' apparent sizes)
    size_mb = sum(f.lstat().st_blocks * 512 for f in [DIST, *DIST.rglob("*")]) / 2**20
    check(size_mb <= MAX_MB, f"bundle size: {size_mb:.0f} MB on disk (at most {MAX_MB} MB)")
    from moodplayer.dev.face_clips import HAPPY_STILL, write_clip

    with tempfile.TemporaryDirectory(prefix="moodplayer-package-test-") as t:
        tmp = Path(t)
        video = write_clip(tmp / "happy.mp4", [(HAPPY_STILL, 12.0)], fps=15)
        wav = tmp / "out.wav"
        env = env_for(tmp)

        start = time.monotonic()
        proc = subprocess.Popen(isolated([str(EXE), "--source", str(video), "--audio-out",
                                            f"afile:{wav}", "--quit-after", "25"]),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        maps, first_mood, lines = "", None, []
        for line in proc.stdout:
            lines.append(line.rstrip())
            if first_mood is None and "mood:" in line:
                first_mood = time.monotonic() - start
                try:
                    maps = Path(f"/proc/{proc.pid}/maps").read_text()
                except OSError:
                    pass
        code = proc.wait(timeout=120)
        print("\n".join("  | " + x for x in lines[-12:]))
        check(code == 0, "the app ran and closed by itself")
        check(any("mood: happy" in x for x in lines), "the mood is detected (happy)")
        # the loudness worker decodes with the bundle's libvlc (its stream-output plugins)
        measured = [x for x in lines if " LUFS, peak " in x]
        check(bool(measured) and not any("loudness: cannot" in x for x in lines),
              f"the loudness of a track is measured from the bundle: {measured[:1]}")
        if first_mood is not None:
            print(f"start-up to the first mood: {first_mood:.1f} s")
        vlc_maps = {x.split()[-1] for x in maps.splitlines() if "libvlc" in x}
        if vlc_maps:
            check(all(p.startswith(str(DIST)) for p in vlc_maps),
                  f"the bundle's own libvlc is loaded: {sorted(vlc_maps)}")
        check(wav.is_file() and wav_rms(wav) > 0.05, "libvlc wrote non-silent audio")

        for fmt, rms in play_every_format(tmp, video, env).items():
            check(rms > 0.05, f"{fmt} plays from the bundle (afile RMS {rms:.2f})")

        result = subprocess.run(isolated([str(EXE), "analyze", str(video), "--json"]),
                                capture_output=True, text=True, env=env, timeout=300)
        check(result.returncode == 0, "analyze --json runs")
        moods = [m["mood"] for m in json.loads(result.stdout)["moods"]]
        check(moods[:1] == ["happy"], f"analyze finds the mood: {moods}")

        from moodplayer.vision.faceapi.lite import FACEAPI_EXPRESSION_LITE
        from moodplayer.vision.models import faceapi_dir

        if (faceapi_dir() / FACEAPI_EXPRESSION_LITE).is_file():  # make setup built it: bundled
            result = subprocess.run(isolated([str(EXE), "doctor"]), capture_output=True, text=True,
                                    env=env, timeout=120)
            check(f"{FACEAPI_EXPRESSION_LITE}: ok" in result.stdout,
                  "the bundle runs face-api's expression net on LiteRT (doctor)")

        result = subprocess.run(isolated([str(EXE), "sessions", "--json"]), capture_output=True,
                                text=True, env=env, timeout=120)
        check(result.returncode == 0 and json.loads(result.stdout) == {"sessions": []},
              "sessions --json runs (no session recorded)")
        result = subprocess.run(isolated([str(EXE), "report", "latest", "--out", str(tmp / "r.pdf")]),
                                capture_output=True, text=True, env=env, timeout=120)
        said = result.stderr.strip().splitlines()
        check(result.returncode == 2 and len(said) == 1, f"report without a session: one line, exit 2: {said}")

        cli_contract(env)

        for command in ("bench", "eval"):  # development tools: left out, and the CLI says so
            result = subprocess.run(isolated([str(EXE), command]), capture_output=True, text=True,
                                    env=env, timeout=60)
            said = result.stderr.strip().splitlines()
            check(result.returncode == 2 and len(said) == 1 and "packaged app has no" in said[0],
                  f"'{command}' is not offered by the bundle: {said}")

        for rel in ("libvlc.so.5", "fer/data/emotion_model_quantized.tflite"):
            broken = tmp / "broken"
            shutil.rmtree(broken, ignore_errors=True)
            subprocess.run(["cp", "-al", str(DIST), str(broken)], check=True)  # hard links: fast
            (broken / "_internal" / rel).unlink()
            result = subprocess.run([str(broken / "moodplayer"), "doctor"], capture_output=True,
                                    text=True, env=env, timeout=120)
            out = result.stdout + result.stderr
            check(result.returncode == 3 and Path(rel).name in out and "Traceback" not in out,
                  f"a bundle without {rel} stops with a message naming it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
