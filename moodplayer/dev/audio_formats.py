"""Real audio files in every format MoodPlayer promises to play, made on the fly for the tests
and the bundle's smoke test: a tone encoded by FFmpeg (PyAV's wheel, a test dependency),
then tagged (title, artist, and a front cover) with mutagen, the way taggers do it.

    python -m moodplayer.dev.audio_formats OUTDIR   # one file per format
"""

from __future__ import annotations

import argparse
import base64
import struct
import wave
import zlib
from fractions import Fraction
from pathlib import Path

import numpy as np

# format -> (file suffix, container, codec, sample rate, extra codec options)
FORMATS = {
    "mp3": (".mp3", "mp3", "libmp3lame", 44100, {}),
    "flac": (".flac", "flac", "flac", 44100, {}),
    "vorbis": (".ogg", "ogg", "vorbis", 44100, {"strict": "experimental"}),  # FFmpeg's own encoder
    "opus": (".opus", "ogg", "libopus", 48000, {}),
    "aac": (".m4a", "ipod", "aac", 44100, {}),
    "wav": (".wav", "wav", "pcm_s16le", 44100, {}),
}


def png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (200, 40, 90)) -> bytes:
    """A small solid-colour PNG, enough for a cover (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def write_pcm_wav(path: Path, mono: np.ndarray, rate: int) -> Path:
    """Mono float samples in [-1, 1] as a 16-bit PCM WAV (the tests' and benches' tones)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes((np.asarray(mono) * 32767).astype("<i2").tobytes())
    return path


def encode(path: Path, fmt: str, seconds: float = 3.0, freq: float = 440.0) -> Path:
    """Encode a sine tone as ``fmt`` (a key of FORMATS) into ``path``."""
    rate = FORMATS[fmt][3]
    t = np.arange(int(rate * seconds)) / rate
    return encode_samples(path, fmt, (0.4 * np.sin(2 * np.pi * freq * t)).astype(np.float32), rate)


def encode_samples(path: Path, fmt: str, mono: np.ndarray, rate: int) -> Path:
    """Encode mono float samples in [-1, 1] at ``rate`` Hz as ``fmt``, in stereo, into ``path``."""
    import av  # test/packaging dependency: the app itself never encodes

    _, container, codec, out_rate, options = FORMATS[fmt]
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format=container) as out:
        stream = out.add_stream(codec, rate=out_rate, layout="stereo")
        for key, value in options.items():
            stream.codec_context.options[key] = value
        fmt_name = "s16" if codec == "pcm_s16le" else stream.codec_context.format.name
        resampler = av.AudioResampler(format=fmt_name, layout="stereo", rate=out_rate,
                                      frame_size=stream.codec_context.frame_size or 1024)
        mono = np.asarray(mono, dtype=np.float32)
        frame = av.AudioFrame.from_ndarray(np.stack([mono, mono]), format="fltp", layout="stereo")
        # with timestamps the Ogg muxer writes true granule positions (the length tag readers see)
        frame.sample_rate, frame.pts, frame.time_base = rate, 0, Fraction(1, rate)
        for chunk in resampler.resample(frame) + resampler.resample(None):
            out.mux(stream.encode(chunk))
        out.mux(stream.encode(None))
    return path


def wav_to(fmt: str, wav: Path, dest: Path) -> Path:
    """Re-encode a 16-bit PCM WAV (the demo tracks) as ``fmt``, keeping its title and artist."""
    from moodplayer.core.music.playlist import read_track

    with wave.open(str(wav), "rb") as wf:
        rate, channels = wf.getframerate(), wf.getnchannels()
        pcm = np.frombuffer(wf.readframes(wf.getnframes()), dtype="<i2").astype(np.float32) / 32768
    mono = pcm.reshape(-1, channels).mean(axis=1)
    encode_samples(dest, fmt, mono, rate)
    track = read_track(wav)
    artist, _, title = track.title.rpartition(" – ")
    if title:
        tag(dest, title, artist)
    return dest


def tag(path: Path, title: str, artist: str = "", cover: bytes | None = None) -> Path:
    """Title, artist and a front cover, each in the format's own tag system."""
    import mutagen
    from mutagen.flac import Picture
    from mutagen.id3 import APIC, ID3, TIT2, TPE1
    from mutagen.mp4 import MP4Cover

    audio = mutagen.File(path)
    suffix = path.suffix.lower()
    if suffix in (".mp3", ".wav"):
        if audio.tags is None:
            audio.add_tags()
        tags: ID3 = audio.tags
        tags.add(TIT2(encoding=3, text=title))
        if artist:
            tags.add(TPE1(encoding=3, text=artist))
        if cover:
            tags.add(APIC(encoding=3, mime="image/png", type=3, desc="Cover", data=cover))
    elif suffix == ".m4a":
        audio["\xa9nam"] = [title]
        if artist:
            audio["\xa9ART"] = [artist]
        if cover:
            audio["covr"] = [MP4Cover(cover, imageformat=MP4Cover.FORMAT_PNG)]
    else:  # Vorbis comments: FLAC, Ogg Vorbis, Opus
        audio["title"] = [title]
        if artist:
            audio["artist"] = [artist]
        if cover:
            picture = Picture()
            picture.type, picture.mime, picture.data = 3, "image/png", cover
            picture.width = picture.height = 8
            picture.depth = 24
            if suffix == ".flac":
                audio.add_picture(picture)
            else:
                audio["metadata_block_picture"] = [base64.b64encode(picture.write()).decode("ascii")]
    audio.save()
    return path


def make_all(folder: Path, seconds: float = 3.0, cover: bytes | None = None,
             only: list[str] | None = None, tagged: bool = True) -> dict[str, Path]:
    """One file per format in ``folder`` (tagged unless ``tagged`` is False): {format: path}."""
    made = {}
    for i, (fmt, (suffix, *_)) in enumerate(FORMATS.items()):
        if only and fmt not in only:
            continue
        path = encode(folder / f"{fmt} tone{suffix}", fmt, seconds, freq=330 + 55 * i)
        made[fmt] = tag(path, f"{fmt.upper()} tone", "MoodPlayer tests", cover) if tagged else path
    return made


def main(argv: list[str] | None = None) -> int:
    # A command as well, so that tests encode in a child process: PyAV's own FFmpeg
    # libraries loaded beside libvlc's in one process make libvlc abort now and then.
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--only", nargs="+", choices=list(FORMATS), help="these formats only")
    parser.add_argument("--cover-rgb", default="200,40,90", help="colour of the embedded cover")
    parser.add_argument("--no-cover", action="store_true")
    parser.add_argument("--untagged", action="store_true", help="no tags, no cover")
    args = parser.parse_args(argv)
    rgb = tuple(int(c) for c in args.cover_rgb.split(","))
    cover = None if args.no_cover else png(rgb=rgb)
    for fmt, path in make_all(args.outdir, args.seconds, cover, args.only, not args.untagged).items():
        print(f"{fmt}\t{path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
