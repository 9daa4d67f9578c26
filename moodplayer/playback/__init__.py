"""Music output: a backend ABC with Qt signals, the VLC backend and a null backend."""
