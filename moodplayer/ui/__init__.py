"""Widgets. They show what they are told and emit intents; they never drive playback
or vision themselves (import-linter keeps them apart)."""
