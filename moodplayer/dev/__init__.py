"""Development tools that are not part of the app: the benchmark (``moodplayer bench``),
the soak run (``make soak``) and the face clips that tests and the benchmark are made of.

The packaged app leaves this package out, and no runtime module may import it (the
import contracts in pyproject.toml check both)."""
