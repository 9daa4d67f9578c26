#!/usr/bin/env bash
# Debian packages MoodPlayer needs: libvlc (music), the Qt xcb runtime (the window),
# Xvfb (screenshots in tests), dbus and playerctl (MPRIS tests on a private session bus), desktop-file-utils
# (the tests check the .desktop file with desktop-file-validate), poppler-utils (the
# session-report tests read the PDF with pdftoppm / pdftotext). As root they are installed; otherwise the exact command
# is printed and set-up stops.
set -euo pipefail
PKGS="libvlc5 vlc-plugin-base xvfb xauth libegl1 libgl1 libfontconfig1 libdbus-1-3
libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0
dbus playerctl poppler-utils desktop-file-utils"

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "not a Debian system: install libvlc (VLC) and the Qt 6 runtime libraries yourself" >&2
  exit 0
fi
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "MoodPlayer needs these Debian packages:$missing" >&2
  echo "run:  sudo apt-get update && sudo apt-get install -y$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
