"""Set-up step (``make setup``): face-api's nets, converted to numpy, in the model folder.

``npm pack @vladmandic/face-api@1.7.15`` fetches the package (MIT) into a temporary folder;
its sha256 must be the one recorded here, else nothing is written. The nets the app uses
(the expression net; the face descriptor net for recognising listeners; the tiny face
detector) are dequantised from their TensorFlow.js manifests into one ``.npz`` each in
``faceapi_dir()``, with the package's licence beside them. Nothing downloads at run time.

Idempotent: when every ``.npz`` is there with the recorded content, npm is not even run.

    python -m moodplayer.provision.faceapi [--tarball FILE] [--dest DIR] [--force]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from moodplayer.vision.faceapi.weights import NETS, content_digest, decode_manifest, is_current, save_npz
from moodplayer.vision.models import FACEAPI_LICENSE_FILE, faceapi_dir

PACKAGE = "@vladmandic/face-api"
VERSION = "1.7.15"
TARBALL = "vladmandic-face-api-1.7.15.tgz"
# sha256 of the tarball the registry serves for 1.7.15 (its npm integrity, sha512:
# WDMmK3CfNLo8jylWqMoQgf4nIst3M0fzx1dnac96wv/dvMTN4DxC/Pq1DGtduDk1lktCamQ3MIDXFnvrdHTXDw==)
TARBALL_SHA256 = "0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031"
LICENSE_FILE = FACEAPI_LICENSE_FILE
APT_COMMAND = "sudo apt-get install -y npm"


class ProvisionError(RuntimeError):
    """The step cannot finish; the message says why and what to do."""


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def find_npm() -> str:
    """npm's path; as root, Debian's npm is installed when missing."""
    npm = shutil.which("npm")
    if npm:
        return npm
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("npm is missing: installing Debian's (apt-get install -y npm)")
        subprocess.run(["apt-get", "install", "-y", "npm"], check=False)
        npm = shutil.which("npm")
        if npm:
            return npm
    raise ProvisionError(f"npm is needed to fetch {PACKAGE}@{VERSION} once; install it with: "
                         f"{APT_COMMAND}   (then run 'make setup' again)")


def fetch_tarball(workdir: Path) -> Path:
    """``npm pack`` the pinned version into ``workdir`` (npm's cache serves a repeat)."""
    npm = find_npm()
    done = subprocess.run([npm, "pack", f"{PACKAGE}@{VERSION}", "--silent",
                           "--pack-destination", str(workdir)],
                          capture_output=True, text=True, cwd=workdir)
    tarball = workdir / TARBALL
    if done.returncode != 0 or not tarball.is_file():
        raise ProvisionError(f"npm pack {PACKAGE}@{VERSION} failed (exit {done.returncode}): "
                             f"{(done.stderr or done.stdout).strip()[-400:]}")
    return tarball


def verify(tarball: Path) -> None:
    digest = sha256_of(tarball)
    if digest != TARBALL_SHA256:
        raise ProvisionError(f"{tarball} is not {PACKAGE}@{VERSION} as recorded: sha256 {digest}, "
                             f"expected {TARBALL_SHA256}; nothing was written")


def _wanted(name: str) -> bool:
    """Only the files the converted nets need, and the licence."""
    if name == "package/LICENSE":
        return True
    models = tuple(f"package/model/{n.model}" for n in NETS.values())
    return name.startswith(models) and name.endswith((".bin", "-weights_manifest.json"))


def extract(tarball: Path, into: Path) -> Path:
    """The wanted members only (regular files, no path tricks) -> ``into/package``."""
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar.getmembers():
            if not (member.isfile() and _wanted(member.name)):
                continue
            target = into / member.name
            if into.resolve() not in target.resolve().parents:
                raise ProvisionError(f"{tarball}: unsafe path {member.name}")
            target.parent.mkdir(parents=True, exist_ok=True)
            src = tar.extractfile(member)
            assert src is not None
            with src, target.open("wb") as out:
                shutil.copyfileobj(src, out)
    return into / "package"


def convert(package: Path, dest: Path) -> list[Path]:
    """Each net's manifest + shards -> a checked ``.npz`` in ``dest``; the licence beside."""
    written = []
    for spec in NETS.values():
        model = package / "model"
        manifest = json.loads((model / f"{spec.model}-weights_manifest.json").read_text())
        shards = [(model / p).read_bytes() for group in manifest for p in group["paths"]]
        arrays = decode_manifest(manifest, shards)
        digest = content_digest(arrays)
        if digest != spec.digest:
            raise ProvisionError(f"{spec.model}: converted weights differ from the recorded ones "
                                 f"({digest}); nothing was written for it")
        save_npz(dest / spec.npz, arrays)
        written.append(dest / spec.npz)
    licence = (package / "LICENSE").read_text(encoding="utf-8")
    (dest / LICENSE_FILE).write_text(
        f"The files in this folder are converted from {PACKAGE} {VERSION} (npm), model/*:\n\n"
        + licence, encoding="utf-8")
    return written


def provision(dest: Path | None = None, tarball: Path | None = None, force: bool = False) -> list[Path]:
    """Make every net's ``.npz`` in ``dest`` (default faceapi_dir()); returns those written
    (none when all were already current)."""
    dest = dest or faceapi_dir()
    if not force and all(is_current(net, dest) for net in NETS) and (dest / LICENSE_FILE).is_file():
        return []
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="moodplayer-faceapi-") as tmp:
        work = Path(tmp)
        if tarball is None:
            tarball = fetch_tarball(work)
        verify(tarball)
        return convert(extract(tarball, work / "x"), dest)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m moodplayer.provision.faceapi",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--tarball", type=Path, help=f"use this {TARBALL} instead of npm pack")
    parser.add_argument("--dest", type=Path, help="model folder (default: faceapi_dir())")
    parser.add_argument("--force", action="store_true", help="convert again even if current")
    args = parser.parse_args(argv)
    dest = args.dest or faceapi_dir()
    try:
        written = provision(dest, args.tarball, args.force)
    except ProvisionError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if written:
        print(f"face-api {VERSION}: converted {', '.join(p.name for p in written)} into {dest}")
    else:
        print(f"face-api {VERSION}: models current in {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
