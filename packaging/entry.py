"""The bundled executable's entry point (PyInstaller runs this file)."""

import sys

from moodplayer.commands import main

if __name__ == "__main__":
    sys.exit(main())
