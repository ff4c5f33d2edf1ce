"""The signals of a proposal: every score array the ranking fuses, computed from the catalogues, the
indexes and the query vectors. `Signals` carries them as named fields, so adding a signal means
one field here, one line in `SignalScorer.compute`, and its use where it is fused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import goal_model, ranking
from .aurora import AuroraMatcher
from .catalogue import INDEXED, Catalogues, lexical_corpus, split_codes, terms_text
from .embedders import detect_language
from .errors import REBUILD_HINT, StaleIndexError
from .governments import GovernmentContext
from .index import VectorIndex
from .korean import PlaceNames, default_reader
from .lexical import LexicalScorer
from .places import Gazetteer, PlaceLinker
from .proposal import CountryResolver
from .text import Terms

# Catalogues up to this many items get lexical scores for every item in one product per batch;
# larger ones are scored on their dense candidates only.
LEXICAL_WHOLE_LIMIT = 50_000


@dataclass(frozen=True)
class Signals:
    """One proposal's signals. Precedent arrays are aligned with `precedent_rows` (the candidates);
    target arrays with the catalogue's targets."""

    precedent_rows: np.ndarray
    precedent_dense: np.ndarray
    precedent_lexical: np.ndarray
    precedent_in_country: np.ndarray
    precedent_score: np.ndarray  # the list's order: similarity and the fit of each case's targets
    # similarity alone (dense, lexical, partner country) spread over every precedent (0 for non-candidates):
    # what the governments are ranked from (RankingConfig.korean_governments_read_gloss)
    precedent_all: np.ndarray
    target_dense: np.ndarray
    target_lexical: np.ndarray
    target_keyword: np.ndarray
    target_precedent: np.ndarray
    target_via: np.ndarray  # position of the precedent that lent each target, -1 when none
    target_score: np.ndarray
    keyword_hits: dict[str, list[str]]
    goal_features: np.ndarray
    goal_best: np.ndarray  # best target score of each of the 17 goals
    top_goal: int
    top_support: float


class CatalogueView:
    """The catalogues as plain rows, arrays and fitted scorers, made once at load: the per-proposal
    work never goes through pandas."""

    def __init__(self, catalogues: Catalogues, indexes: Mapping[str, VectorIndex]):
        cat = catalogues
        self.catalogues = cat
        self.indexes = indexes
        self.resolver = CountryResolver(cat.countries, cat.cities)
        self.target_rows = cat.sdg_targets.to_dict("records")
        self.target_ids = cat.sdg_targets["id"].to_numpy(dtype=str)
        self.target_goals = cat.sdg_targets["goal"].to_numpy()
        target_pos = {t: i for i, t in enumerate(self.target_ids)}
        self.target_position = target_pos
        self.precedent_rows = cat.precedents.to_dict("records")
        self.precedent_ids = cat.precedents["id"].to_numpy(dtype=str)
        self.precedent_position = {p: i for i, p in enumerate(self.precedent_ids)}
        self.precedent_lgs = [tuple(split_codes(c)) for c in cat.precedents["lg_codes"]]
        self.precedent_countries = [tuple(split_codes(c)) for c in cat.precedents["partner_iso2"]]
        self.precedent_targets = [[target_pos[t] for t in split_codes(h)] for h in cat.precedents["sdg_targets_hint"]]
        self.lg_rows = cat.local_governments.to_dict("records")
        self.lg_codes = [r["code"] for r in self.lg_rows]
        # partner places: the gazetteer reads its file on the first proposal that names a place
        self.gazetteer = Gazetteer(cat.data_dir / "places.csv")
        self.linker = PlaceLinker(
            self.gazetteer, dict(zip(cat.countries["iso2"], zip(cat.countries["name_en"], cat.countries["name_ko"])))
        )
        self.governments = GovernmentContext(cat, self.precedent_lgs, self.precedent_countries, self.gazetteer)
        self.lexical = {name: _lexical_scorer(indexes[name], cat, name) for name in INDEXED}
        self.aurora = AuroraMatcher(dict(zip(cat.sdg_targets["id"], cat.sdg_targets["aurora_query"])))
        # made for the few items a result shows, when it shows them
        self.target_terms = LazyTerms([terms_text(r, "sdg_targets") for r in self.target_rows])
        self.precedent_terms = LazyTerms([terms_text(r, "precedents") for r in self.precedent_rows])
        positions = {"sdg_targets": target_pos, "precedents": self.precedent_position}
        self.row_items = {
            name: np.array([positions[name][i] for i in indexes[name].item_ids], dtype=np.int64) for name in INDEXED
        }
        self.row_languages = {name: np.asarray(indexes[name].languages, dtype=str) for name in INDEXED}
        self._country_masks: dict[str | None, np.ndarray] = {}
        self._place_names: PlaceNames | None = None
        self._hinted: np.ndarray | None = None
        self._city_ko: dict | None = None
        # Centred hub score of each target (ranking.hub_scores), set by the facade; None: no correction.
        self.target_hub: np.ndarray | None = None

    def precedent_title(self, position: int, lang: str) -> str:
        """A precedent's title in the reader's language (reasons name cases by title, not by id)."""
        row = self.precedent_rows[position]
        return (row["title_ko"] or row["title_en"]) if lang == "ko" else row["title_en"]

    def city_name(self, name: str, iso: str | None, lang: str) -> str:
        """A GeoNames city's name in the reader's language (its first Korean spelling); '' when a Korean
        reader would get only the romanised name."""
        if lang != "ko" or not name:
            return name
        if self._city_ko is None:
            cities = self.catalogues.cities
            korean = cities[cities["name_ko"].fillna("") != ""]
            korean = korean.assign(pop=pd.to_numeric(korean["population"], errors="coerce")).sort_values("pop")
            self._city_ko = {}
            for city, country, spellings in zip(korean["name"], korean["iso2"], korean["name_ko"]):
                first = spellings.split("|")[0].strip()
                self._city_ko[(city, country)] = first
                self._city_ko[(city, None)] = first  # the most populous city of that name, last written
        return self._city_ko.get((name, iso)) or self._city_ko.get((name, None)) or ""

    def precedent_target_fit(self, evidence: np.ndarray) -> np.ndarray:
        """Each precedent's best score in `evidence` (one per target) among the targets it serves."""
        if self._hinted is None:
            width = max((len(t) for t in self.precedent_targets), default=0) or 1
            hinted = np.full((len(self.precedent_targets), width), len(self.target_ids), dtype=np.int64)
            for i, targets in enumerate(self.precedent_targets):
                hinted[i, : len(targets)] = targets
            self._hinted = hinted  # a precedent's targets, padded with one past the last target
        return np.append(np.asarray(evidence, dtype=np.float32), 0.0)[self._hinted].max(axis=1)

    @property
    def place_names(self) -> PlaceNames:
        """Korean names of governments, countries and cities for the gloss (made on the first Korean text)."""
        if self._place_names is None:
            cat = self.catalogues
            self._place_names = PlaceNames.from_tables(
                cat.local_governments, cat.countries, cat.cities, default_reader().lexicon
            )
        return self._place_names

    def country_mask(self, iso: str | None) -> np.ndarray:
        """Which precedents worked in a country, computed once per country (dict writes are atomic)."""
        mask = self._country_masks.get(iso)
        if mask is None:
            mask = np.array([iso is not None and iso in c for c in self.precedent_countries], dtype=bool)
            self._country_masks[iso] = mask
        return mask

    def dense(self, name: str, queries: np.ndarray, n_items: int, k: int) -> np.ndarray:
        """Each item's best cosine over the query passages and its vector rows."""
        scores, rows = self.indexes[name].search(queries, k)
        return ranking.best_per_item(scores, rows, self.row_items[name], n_items)

    def dense_by_language(self, name: str, queries: np.ndarray, n_items: int, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(each item's best cosine, that best averaged over the item's language versions) from one
        search (ranking.mean_best_per_language)."""
        scores, rows = self.indexes[name].search(queries, k)
        best = ranking.best_per_item(scores, rows, self.row_items[name], n_items)
        mean = ranking.mean_best_per_language(scores, rows, self.row_items[name], self.row_languages[name], n_items)
        return best, mean


def _lexical_scorer(index: VectorIndex, cat: Catalogues, name: str) -> LexicalScorer:
    """The lexical model saved with the index (`recommender build`), or one fitted now for an index
    made in memory without it."""
    if "lexical_idf" in index.arrays:
        try:
            return LexicalScorer.from_arrays(index.arrays)
        except ValueError as exc:
            raise StaleIndexError(f"the lexical model of the {name} index is damaged ({exc}); {REBUILD_HINT}") from None
    return LexicalScorer().fit(*lexical_corpus(cat, name))


class LazyTerms:
    """The `Terms` of each of some texts, made on first use (a result shows a few items' shared words)."""

    def __init__(self, texts: Sequence[str]):
        self._texts = texts
        self._terms: list[Terms | None] = [None] * len(texts)

    def __len__(self) -> int:
        return len(self._texts)

    def __getitem__(self, i: int) -> Terms:
        terms = self._terms[i]
        if terms is None:
            terms = self._terms[i] = Terms(self._texts[i])  # a list write is atomic: threads may share the view
        return terms


class LexicalBatch:
    """Lexical scores of a batch of texts: one sparse product per catalogue for the whole batch, or,
    for a catalogue too large to score whole, each text's sparse vector to score candidates with."""

    def __init__(self, view: CatalogueView, texts: Sequence[str]):
        self._scorers = view.lexical
        self._per_catalogue = {}
        for name in INDEXED:
            scorer = view.lexical[name]
            vectors = scorer.transform(list(texts))
            self._per_catalogue[name] = scorer.score(vectors) if scorer.n_items <= LEXICAL_WHOLE_LIMIT else vectors

    def scores(self, n: int, name: str, rows: np.ndarray | None) -> np.ndarray:
        value = self._per_catalogue[name]
        if isinstance(value, np.ndarray):
            return value[n] if rows is None else value[n][rows]
        return self._scorers[name].score(value[n], rows=rows)[0]


class SignalScorer:
    """Computes `Signals` for one proposal from its query vectors (pure given the view and config)."""

    def __init__(self, view: CatalogueView, config):
        self.view = view
        self.config = config

    def compute(
        self,
        text: str,
        queries: np.ndarray,
        iso: str | None,
        lexical: LexicalBatch,
        n: int,
        exclude: Sequence[int] = (),
        keyword_text: str | None = None,
        precedent_queries: np.ndarray | None = None,
        *,
        precedent_lexical: LexicalBatch | None = None,
        government_queries: np.ndarray | None = None,
        list_queries: np.ndarray | None = None,
    ) -> Signals:
        """exclude: precedent positions to leave out entirely (leave-one-out evaluation);
        keyword_text: what the (English) keyword queries read, when not the text itself (the English
        gloss of a Korean text); precedent_queries: the vectors the precedent list is ranked by, when
        not `queries` (a Korean text's gloss blend with names; RankingConfig.korean_precedents_read_gloss
        off: its own multilingual reading);
        precedent_lexical: the texts the precedent lexical signal reads, when not `lexical`'s (the
        glosses of Korean texts); government_queries: the vectors the similarity the governments are
        ranked from is read with (with `lexical`), when not the precedent list's (a Korean text's own
        multilingual reading, as the government ranker was fitted); list_queries: the vectors the
        precedent list shown is ranked by, when not the precedent reading's (an English text's own
        reading blended with its Korean rendering, RankingConfig.english_list_reads_korean). The list
        reads each case in both its languages (RankingConfig.precedent_list_both_languages); what the
        governments, the project models and the needs read stays the precedent reading."""
        view, cfg = self.view, self.config
        n_targets = len(view.target_ids)
        cosine_t = view.dense("sdg_targets", queries, n_targets, view.indexes["sdg_targets"].index.ntotal)
        if cfg.hubness and view.target_hub is not None:
            cosine_t = cosine_t - cfg.hubness * view.target_hub
        dense_t = ranking.dense_to_unit(cosine_t)
        lexical_t = lexical.scores(n, "sdg_targets", None)
        hits = view.aurora.match(text if keyword_text is None else keyword_text)
        keyword_t = np.zeros(n_targets, dtype=np.float32)
        for target_id in hits:
            keyword_t[view.target_position[target_id]] = 1.0
        lang = detect_language(text)
        weights = cfg.language_target_weights.get(lang, cfg.target_weights)
        # the target evidence of the text itself (nothing lent yet), which the precedents' targets are held against
        own_evidence = {k: w for k, w in weights.items() if k != "precedent"}
        evidence = ranking.fuse({"dense": dense_t, "lexical": lexical_t, "keyword": keyword_t}, own_evidence)
        fit = view.precedent_target_fit(evidence)

        reading = (
            queries if precedent_queries is None else precedent_queries,
            iso,
            lexical if precedent_lexical is None else precedent_lexical,
            n,
            exclude,
        )
        # Similarity (dense, lexical, partner country) is what the government ranker was fitted on; the
        # list shown also weighs how well each case's targets fit the text's own target evidence, and
        # reads the cases so that a proposal and its translation meet the same ones (docs/precedent_parity.md).
        similarity_all = self._precedents(*reading, None)[5]
        list_reading = (reading[0] if list_queries is None else list_queries, *reading[1:])
        rows, dense_p, lexical_p, in_country, precedent_score, _ = self._precedents(
            *list_reading,
            fit if cfg.precedent_weights.get("targets") else None,
            by_language=cfg.precedent_list_both_languages,
        )
        # What lends targets: the precedents as the target side reads them (dense and lexical only), so
        # the target ranking stands where it was measured whatever the precedent list reads.
        same = precedent_queries is None and precedent_lexical is None
        lending = similarity_all if same else self._precedents(queries, iso, lexical, n, exclude, None)[5]
        if government_queries is not None:
            similarity_all = self._precedents(government_queries, iso, lexical, n, exclude, None)[5]
        lent, via = ranking.propagate_labels(lending, view.precedent_targets, n_targets, cfg.propagation_neighbours)
        floor = cfg.lending_floor.get(lang, 0.0)
        if floor > 0:
            lent = np.clip((lent - floor) / (1.0 - floor), 0.0, 1.0)
        target_score = ranking.fuse(
            {"dense": dense_t, "lexical": lexical_t, "keyword": keyword_t, "precedent": lent}, weights
        )
        features = goal_model.goal_features(target_score, dense_t, lexical_t, keyword_t, view.target_goals)
        top = int(ranking.rank_order(target_score, view.target_ids)[0])
        return Signals(
            precedent_rows=rows,
            precedent_dense=dense_p,
            precedent_lexical=lexical_p,
            precedent_in_country=in_country,
            precedent_score=precedent_score,
            precedent_all=similarity_all,
            target_dense=dense_t,
            target_lexical=lexical_t,
            target_keyword=keyword_t,
            target_precedent=lent,
            target_via=via,
            target_score=target_score,
            keyword_hits=hits,
            goal_features=features,
            goal_best=goal_model.per_goal(target_score, view.target_goals, np.maximum),
            top_goal=int(view.target_goals[top]),
            top_support=float(lent[top]),
        )

    def _precedents(
        self,
        queries: np.ndarray,
        iso: str | None,
        lexical: LexicalBatch,
        n: int,
        exclude: Sequence[int],
        target_fit: np.ndarray | None,
        by_language: bool = False,
    ):
        """(candidate rows, dense, lexical, in country, score, score spread over every precedent);
        target_fit: each precedent's fit to the text's target evidence (CatalogueView.precedent_target_fit),
        or None to leave that signal out; by_language: the score reads the dense signal averaged over
        each case's language versions instead of its best one (the dense array returned stays the best)."""
        view, cfg = self.view, self.config
        n_precedents = len(view.precedent_ids)
        index = view.indexes["precedents"]
        if by_language:
            # room for both versions of the nearest candidate_rows cases; the score reads the mean of
            # the versions, while the similarity shown (and the near-copy flag) stays the best one:
            # a copy of either version is a copy
            k = min(index.index.ntotal, 2 * cfg.candidate_rows)
            dense_all, ranked_all = view.dense_by_language("precedents", queries, n_precedents, k)
        else:
            k = min(index.index.ntotal, cfg.candidate_rows)
            dense_all = ranked_all = view.dense("precedents", queries, n_precedents, k)
        if len(exclude):
            dense_all[np.asarray(exclude, dtype=np.int64)] = -1.0
            ranked_all[np.asarray(exclude, dtype=np.int64)] = -1.0
        rows = np.flatnonzero(dense_all > -1.0)
        dense_p = ranking.dense_to_unit(dense_all[rows])
        lexical_p = lexical.scores(n, "precedents", rows)
        in_country = view.country_mask(iso)[rows]
        signals = {"dense": ranking.dense_to_unit(ranked_all[rows]), "lexical": lexical_p}
        weights = dict(cfg.precedent_weights)
        if target_fit is None:
            weights.pop("targets", None)
        else:
            signals["targets"] = target_fit[rows]
        precedent_score = ranking.fuse(signals, weights)
        precedent_score = np.clip(precedent_score + cfg.country_bonus * in_country, 0.0, 1.0)
        precedent_all = np.zeros(n_precedents, dtype=np.float32)
        precedent_all[rows] = precedent_score
        return rows, dense_p, lexical_p, in_country, precedent_score, precedent_all


class GoalVectors:
    """The vectors the goal classifier reads (multilingual USE), taken from our query vectors when
    the embedder contains USE, else encoded again by a USE model loaded on first use."""

    def __init__(self, embedder):
        self.embedder = embedder
        self._own_part = None

    def encoder(self):
        """(embedder, start of its block in our query vectors, or None when it must encode itself)."""
        from .embedders import USEEmbedder, find_part

        found = find_part(self.embedder, goal_model.CLASSIFIER_PART)
        if found is not None:
            return found
        if self._own_part is None:
            self._own_part = USEEmbedder()
        return self._own_part, None

    @property
    def loaded_separately(self) -> bool:
        return self._own_part is not None

    def vector(self, text: str, queries: np.ndarray) -> np.ndarray:
        """The unit vector for one text (mean over its passages)."""
        from .embedders import l2_normalise
        from .text import split_passages

        part, start = self.encoder()
        block = (
            part.encode(split_passages(text)) if start is None else l2_normalise(queries[:, start : start + part.dim])
        )
        return l2_normalise(block.mean(axis=0, keepdims=True))[0]

    def documents(self, texts: Sequence[str]) -> np.ndarray:
        part, _ = self.encoder()
        return part.encode(list(texts), kind="document")
