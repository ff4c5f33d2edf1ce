"""The package's exceptions: one small hierarchy that the CLI and the app turn into one line."""

from __future__ import annotations


class RecommenderError(Exception):
    """Base class: every error the library raises on purpose."""


class InputError(RecommenderError, ValueError):
    """A proposal or a proposals file is not usable as given."""


class CatalogueError(RecommenderError):
    """A catalogue file in data/ is missing or breaks its schema."""

    def __init__(self, file: str, message: str, row: int | None = None, column: str | None = None):
        self.file, self.row, self.column = file, row, column
        where = file + (f", row {row}" if row is not None else "") + (f", column '{column}'" if column else "")
        super().__init__(f"{where}: {message}")


class ArtefactError(RecommenderError):
    """Base for problems with the built indexes under models/."""


class NotBuiltError(ArtefactError):
    """No index has been built yet where one was expected."""


class StaleIndexError(ArtefactError):
    """An index exists but was built from other data, another embedder, or is damaged."""


class EmbedderUnavailableError(RecommenderError):
    """The configured embedding model is not installed on this machine."""


REBUILD_HINT = "run `recommender build` (or `python -m recommender build`) to rebuild it"
