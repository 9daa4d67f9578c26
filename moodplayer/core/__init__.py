"""Qt-free, pure logic: emotions, the mood window, mapping, playlists, settings.

Nothing here imports Qt, VLC, OpenCV or TensorFlow (import-linter enforces it), so every
rule of the player can be unit-tested with scripted data.
"""
