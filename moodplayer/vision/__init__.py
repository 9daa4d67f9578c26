"""Frames in, readings out: capture, face detection (DeepFace) and emotion engines.

Qt-free, so the headless ``moodplayer analyze`` and ``eval`` commands run the very same
code as the app.
"""
