"""Generate the demo playlists: short, royalty-free (synthesised here) tracks, one folder
per emotion, each mood audibly different (key, tempo, timbre).

    python -m moodplayer.provision.demo_tracks [OUTDIR] [--seconds S] [--per-mood N]
"""

from __future__ import annotations

import argparse
import wave
import zlib
from pathlib import Path

import numpy as np

RATE = 22050
A4 = 440.0

# mood -> (bpm, scale in semitones from root, root semitone vs A4, timbre, note pattern)
STYLES = {
    "happy": (140, [0, 2, 4, 5, 7, 9, 11], 3, "bright", [0, 2, 4, 7, 4, 2]),
    "sad": (60, [0, 2, 3, 5, 7, 8, 10], -12, "soft", [0, 3, 2, 0, -2, 0]),
    "angry": (165, [0, 1, 3, 5, 7, 8, 10], -17, "harsh", [0, 0, 1, 0, 3, 0]),
    "fear": (90, [0, 1, 6, 7], -5, "tremolo", [0, 2, 1, 3]),
    "surprise": (120, [0, 4, 7, 11, 12], 0, "bright", [0, 4, 1, 3, 2, 4]),
    "disgust": (70, [0, 1, 2], -21, "detuned", [0, 1, 0, 2]),
    "neutral": (96, [0, 2, 4, 7, 9], -9, "soft", [0, 1, 2, 3, 2, 1]),
}


def _tone(freq: float, seconds: float, timbre: str, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    if timbre == "bright":
        x = np.sin(2 * np.pi * freq * t) + 0.4 * np.sin(4 * np.pi * freq * t) + 0.2 * np.sin(6 * np.pi * freq * t)
    elif timbre == "harsh":
        x = np.clip(3 * np.sin(2 * np.pi * freq * t), -1, 1) + 0.3 * rng.standard_normal(t.size) * 0.2
    elif timbre == "tremolo":
        x = np.sin(2 * np.pi * freq * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 9 * t))
    elif timbre == "detuned":
        x = np.sin(2 * np.pi * freq * t) + np.sin(2 * np.pi * freq * 1.03 * t)
    else:  # soft
        x = np.sin(2 * np.pi * freq * t) + 0.1 * np.sin(4 * np.pi * freq * t)
    attack = min(t.size, int(0.02 * RATE))
    env = np.exp(-t * (1.5 if timbre == "soft" else 3.0))
    env[:attack] *= np.linspace(0, 1, attack)
    return x * env


def synthesize(mood: str, variant: int, seconds: float) -> np.ndarray:
    bpm, scale, root, timbre, pattern = STYLES[mood]
    rng = np.random.default_rng(zlib.crc32(f"{mood}{variant}".encode()))  # stable across runs
    beat = 60.0 / bpm
    out = np.zeros(int(RATE * seconds) + RATE)
    pos, step = 0.0, 0
    shift = [0, 2, -3][variant % 3]
    while pos < seconds:
        degree = pattern[step % len(pattern)] + (variant if step % 8 >= 4 else 0)
        octave, idx = divmod(degree, len(scale))
        semis = root + shift + scale[idx] + 12 * octave
        note = _tone(A4 * 2 ** (semis / 12), beat * 1.5, timbre, rng)
        start = int(pos * RATE)
        out[start:start + note.size] += note[: out.size - start]
        pos += beat
        step += 1
    out = out[: int(RATE * seconds)]
    fade = int(0.5 * RATE)
    out[-fade:] *= np.linspace(1, 0, fade)
    return (0.6 * out / (np.abs(out).max() or 1)).astype(np.float32)


def write_wav(path: Path, samples: np.ndarray, title: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(RATE)
        wf.writeframes((samples * 32767).astype("<i2").tobytes())
    if title:
        try:
            from mutagen.id3 import TIT2, TPE1
            from mutagen.wave import WAVE

            audio = WAVE(path)
            audio.add_tags()
            if audio.tags is not None:  # add_tags made them
                audio.tags.add(TIT2(encoding=3, text=title))
                audio.tags.add(TPE1(encoding=3, text="MoodPlayer demo"))
            audio.save()
        except ImportError:  # tags are a nicety
            pass


def generate(outdir: Path, seconds: float = 12.0, per_mood: int = 3) -> list[Path]:
    written = []
    for mood in STYLES:
        for v in range(per_mood):
            path = outdir / mood / f"{mood}_{v + 1:02d}.wav"
            if not path.exists():
                write_wav(path, synthesize(mood, v, seconds), f"{mood.title()} {v + 1}")
            written.append(path)
    return written


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("outdir", nargs="?", default=str(Path(__file__).resolve().parents[2] / "assets" / "playlists"))
    p.add_argument("--seconds", type=float, default=12.0)
    p.add_argument("--per-mood", type=int, default=3)
    a = p.parse_args()
    files = generate(Path(a.outdir), a.seconds, a.per_mood)
    print(f"{len(files)} demo tracks in {a.outdir}")


if __name__ == "__main__":
    main()
