"""MoodPlayer: a desktop music player that listens to your face."""

__version__ = "0.1.0"
