"""Offline bilingual matcher of city-to-city cooperation proposals.

from recommender import Recommender
rec = Recommender.open()          # loads models/, building it first when missing or stale
rec.recommend({"text": "캄보디아 지방 소방 역량 강화", "partner_country": "KH"})
"""

from .core import RankingConfig, Recommender
from .errors import (
    ArtefactError,
    CatalogueError,
    EmbedderUnavailableError,
    InputError,
    NotBuiltError,
    RecommenderError,
    StaleIndexError,
)
from .proposal import Proposal

__all__ = [
    "Recommender",
    "RankingConfig",
    "Proposal",
    "RecommenderError",
    "InputError",
    "CatalogueError",
    "ArtefactError",
    "NotBuiltError",
    "StaleIndexError",
    "EmbedderUnavailableError",
]
