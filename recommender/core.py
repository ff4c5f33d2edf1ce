"""The facade: `Recommender` builds, saves and loads the indexes and ranks a proposal.

Ranking is done by the pure functions in `ranking`; this module encodes texts, runs the
searches and writes the reasons.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from . import goal_model, ranking
from .aurora import AuroraMatcher
from .catalogue import INDEXED, Catalogues, load_catalogues, split_codes
from .embedders import (DEFAULT_EMBEDDER, Embedder, USEEmbedder, detect_language, encode_documents, encode_queries,
                        find_part, l2_normalise, make_embedder)
from .errors import ArtefactError, CatalogueError, InputError, RecommenderError
from .index import VectorIndex, build_lock
from .lexical import LexicalScorer
from .proposal import CountryResolver, Proposal
from .text import Terms, shared, split_passages

log = logging.getLogger(__name__)

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DEFAULT_MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
# Catalogues up to this many items get lexical scores for every item in one product per batch;
# larger ones are scored on their dense candidates only.
LEXICAL_WHOLE_LIMIT = 50_000


@dataclass(frozen=True)
class RankingConfig:
    """Weights and sizes of the ranking; defaults measured in docs/evaluation.md."""

    top_k: int = 10
    # English: character n-grams add nothing once dense, keywords and precedents are in (best cells of
    # eval/sweep_target_weights.py have lexical 0 on both halves of the gold set).
    target_weights: Mapping[str, float] = field(
        default_factory=lambda: {"dense": 0.5, "lexical": 0.0, "keyword": 0.15, "precedent": 0.25})
    # How many of the closest precedents lend their SDG targets to the proposal.
    propagation_neighbours: int = 5
    # Per-language overrides of target_weights. Korean: the Aurora queries are English, so keyword
    # hits never happen and carry no weight (`eval/sweep_target_weights.py --lang ko`).
    language_target_weights: Mapping[str, Mapping[str, float]] = field(
        default_factory=lambda: {"ko": {"dense": 0.5, "lexical": 0.1, "keyword": 0.0, "precedent": 0.25}})
    precedent_weights: Mapping[str, float] = field(default_factory=lambda: {"dense": 0.8, "lexical": 0.2})
    # Added to a precedent's score (then capped at 1) when it worked in the proposal's partner country.
    country_bonus: float = 0.05
    portfolio: ranking.PortfolioWeights = ranking.PortfolioWeights()
    # Precedent vector rows fetched per query passage before re-scoring (bounds work on big catalogues).
    candidate_rows: int = 400


def _documents(cat: Catalogues, name: str) -> tuple[list[str], list[str], list[str]]:
    """(item id, passage text, language) for every vector row of a catalogue."""
    ids, texts, langs = [], [], []
    if name == "sdg_targets":
        # English rows only. Our Korean target texts serve the character n-grams and the display, but
        # as vectors they made Korean proposals worse (gold Korean target hits@3 0.917 -> 0.900, MRR
        # 0.876 -> 0.849): same-language legal wording outscored the meaning ("협정" found 3.a).
        for row in cat.sdg_targets.to_dict("records"):
            ids.append(row["id"]); langs.append("en")
            texts.append(_target_text(row, "en"))
    elif name == "precedents":
        for row in cat.precedents.to_dict("records"):
            if row["description_en"]:
                ids.append(row["id"]); langs.append("en")
                texts.append(f"{row['title_en']}. {row['description_en']}. {row['modality']}")
            if row["description_ko"]:
                ids.append(row["id"]); langs.append("ko")
                texts.append(f"{row['title_ko']}. {row['description_ko']}")
    else:
        raise ValueError(f"catalogue must be one of {INDEXED}; received {name!r}")
    return ids, texts, langs


def _target_text(row: Mapping, lang: str) -> str:
    return f"{row[f'goal_name_{lang}']}: {row[f'title_{lang}']}. {row[f'text_{lang}']}"


def _lexical_documents(cat: Catalogues, name: str) -> tuple[list[str], list[int]]:
    """(documents, the item of each): one document per language an item has text in."""
    if name == "sdg_targets":
        rows = [(f"{r['title_en']}. {r['text_en']}", f"{r['title_ko']}. {r['text_ko']}" if r["text_ko"] else "")
                for r in cat.sdg_targets.to_dict("records")]
    else:
        rows = [(f"{r['title_en']}. {r['description_en']} {r['sector']}",
                 f"{r['title_ko']}. {r['description_ko']}" if r["description_ko"] else "")
                for r in cat.precedents.to_dict("records")]
    documents, items = [], []
    for item, texts in enumerate(rows):
        for text in texts:
            if text:
                documents.append(text); items.append(item)
    return documents, items


class Recommender:
    """Build once (`build`), then `load` and `recommend`; `open` does whichever is needed."""

    def __init__(self, data_dir: str | Path = DEFAULT_DATA_DIR, models_dir: str | Path = DEFAULT_MODELS_DIR,
                 embedder: str | Embedder = DEFAULT_EMBEDDER, config: RankingConfig | None = None):
        self.data_dir = Path(data_dir)
        self.models_dir = Path(models_dir)
        self.embedder = make_embedder(embedder) if isinstance(embedder, str) else embedder
        # the name other processes (Dask workers) need to load the same embedder; None for an object
        self.embedder_spec = embedder if isinstance(embedder, str) else None
        self.config = config or RankingConfig()
        self.catalogues_: Catalogues | None = None
        self.indexes_: dict[str, VectorIndex] = {}
        self._lock = threading.Lock()
        self._goal_part: Embedder | None = None

    # ---------------------------------------------------------------- build / save / load
    def _prepare(self) -> None:
        cat = self.catalogues_
        self.resolver_ = CountryResolver(cat.countries, cat.cities)
        targets = cat.sdg_targets
        self.target_ids_ = targets["id"].to_numpy(dtype=str)
        self.target_pos_ = {t: i for i, t in enumerate(self.target_ids_)}
        self.target_goals_ = targets["goal"].to_numpy()
        self.prec_ids_ = cat.precedents["id"].to_numpy(dtype=str)
        self.prec_pos_ = {p: i for i, p in enumerate(self.prec_ids_)}
        self.prec_lgs_ = [split_codes(c) for c in cat.precedents["lg_codes"]]
        self.prec_countries_ = [split_codes(c) for c in cat.precedents["partner_iso2"]]
        self.prec_targets_ = [[self.target_pos_[t] for t in split_codes(h)] for h in cat.precedents["sdg_targets_hint"]]
        self.lexical_ = {name: LexicalScorer().fit(*_lexical_documents(cat, name)) for name in INDEXED}
        self.aurora_ = AuroraMatcher(dict(zip(targets["id"], targets["aurora_query"])))
        # Kept, not raised, when missing or outdated: `recommender evaluate --fit-goal-model` must be
        # able to open the recommender to (re)fit it. Recommending raises it.
        self.goal_model_, self.goal_model_error_ = None, None
        try:
            self.goal_model_ = goal_model.GoalDecision.load(self.data_dir / goal_model.FILE_NAME)
        except CatalogueError as exc:
            self.goal_model_error_ = exc
        # Plain rows and their terms, made once: the per-proposal work must not go through pandas.
        self.target_rows_ = targets.to_dict("records")
        self.prec_rows_ = cat.precedents.to_dict("records")
        self.lg_rows_ = cat.local_governments.to_dict("records")
        self.lg_codes_ = [r["code"] for r in self.lg_rows_]
        self.portfolio_pairs_ = ranking.portfolio_pairs(self.prec_lgs_, self.lg_codes_)
        self._country_masks: dict[str | None, np.ndarray] = {}
        self.target_terms_ = [Terms(f"{r['title_en']} {r['text_en']} {r['title_ko']} {r['text_ko']}")
                              for r in self.target_rows_]
        self.prec_terms_ = [Terms(f"{r['title_en']} {r['description_en']} {r['title_ko']} {r['description_ko']}")
                            for r in self.prec_rows_]
        self.row_items_ = {}
        for name, positions in (("sdg_targets", self.target_pos_), ("precedents", self.prec_pos_)):
            index = self.indexes_[name]
            self.row_items_[name] = np.array([positions[i] for i in index.item_ids], dtype=np.int64)

    def _fingerprint(self, name: str) -> str:
        """The catalogue file's hash and the hash of the passages made from it: an index is stale when
        either the data or the way passages are composed has changed."""
        ids, texts, langs = _documents(self.catalogues_, name)
        passages = hashlib.sha256("\x1e".join(f"{i}\x1f{l}\x1f{t}" for i, t, l in zip(ids, texts, langs)).encode())
        return f"{self.catalogues_.fingerprints[name]}-{passages.hexdigest()[:12]}"

    def _expected(self, name: str) -> dict:
        return {"catalogue": name, "embedder": self.embedder.id, "catalogue_fingerprint": self._fingerprint(name)}

    def build(self) -> "Recommender":
        """Encode the catalogues and write one index folder per catalogue under models_dir."""
        self.catalogues_ = load_catalogues(self.data_dir)
        with build_lock(self.models_dir):
            for name in INDEXED:
                ids, texts, langs = _documents(self.catalogues_, name)
                log.info("encoding %d passages of %s with %s", len(texts), name, self.embedder.id)
                vectors = encode_documents(self.embedder, texts, langs)
                index = VectorIndex.build(vectors, ids, langs, catalogue=name, embedder_id=self.embedder.id,
                                          fingerprint=self._fingerprint(name))
                index.save(self.models_dir / name)
                self.indexes_[name] = index
        self._prepare()
        return self

    def load(self) -> "Recommender":
        """Load the saved indexes; StaleIndexError/NotBuiltError if they do not match data and embedder."""
        self.catalogues_ = load_catalogues(self.data_dir)
        self.indexes_ = {name: VectorIndex.load(self.models_dir / name, expect=self._expected(name))
                         for name in INDEXED}
        self._prepare()
        return self

    @classmethod
    def open(cls, *args, rebuild: bool = True, **kwargs) -> "Recommender":
        """Load, or build first when the indexes are missing or stale (what the app and CLI do)."""
        rec = cls(*args, **kwargs)
        try:
            return rec.load()
        except ArtefactError as exc:
            if not rebuild:
                raise
            log.warning("%s; rebuilding", exc)
            return rec.build()

    def info(self) -> dict:
        out = {"data_dir": str(self.data_dir), "models_dir": str(self.models_dir), "embedder": self.embedder.id}
        for name in INDEXED:
            index = self.indexes_.get(name)
            out[name] = index.manifest if index else "not loaded"
        decision = getattr(self, "goal_model_", None)
        if decision is not None:
            out["goal_model"] = {"trained_on": decision.model.trained_on, "features": list(decision.model.features),
                                 "classifier_reads": decision.classifier.part,
                                 "language_offsets": decision.language_offsets,
                                 "language_blind": decision.language_blind,
                                 "precedent_support": decision.precedent_support}
        elif getattr(self, "goal_model_error_", None) is not None:
            out["goal_model"] = str(self.goal_model_error_)
        return out

    # ---------------------------------------------------------------- recommend
    def _require_loaded(self) -> None:
        if self.catalogues_ is None or not self.indexes_:
            raise RecommenderError("the recommender is not loaded: call Recommender.open() (or build() / load()), "
                                   "or run `recommender build` first")

    def precedent_budgets(self) -> dict[str, float]:
        """Known budgets (KRW) of the precedents, by id."""
        self._require_loaded()
        p = self.catalogues_.precedents
        return {pid: float(b) for pid, b in zip(p["id"], p["budget_krw"]) if pd.notna(b)}

    def check(self, proposal: Proposal | Mapping | str) -> Proposal:
        self._require_loaded()
        return Proposal.from_value(proposal).checked(self.resolver_)

    def recommend(self, proposal: Proposal | Mapping | str, *, top_k: int | None = None,
                  lang: str | None = None) -> dict:
        """Ranked SDG goals and targets, precedents and local governments for one proposal."""
        return self.recommend_many([proposal], top_k=top_k, lang=lang)[0]

    def recommend_many(self, proposals: Sequence[Proposal | Mapping | str], *, top_k: int | None = None,
                       lang: str | None = None, return_vectors: bool = False):
        """Like `recommend` for several proposals, encoding all their passages in one batch.

        Raises InputError on the first unusable proposal; batch callers check rows first (io.score_frame).
        With return_vectors, also returns one unit vector per proposal (the mean of its passages), which
        the batch flags use to find near duplicates without encoding again.
        """
        checked = [self.check(p) for p in proposals]
        top_k = int(top_k or self.config.top_k)
        if top_k < 1:
            raise InputError(f"top_k must be at least 1; received {top_k}")
        if not checked:
            return ([], np.zeros((0, self.embedder.dim), dtype=np.float32)) if return_vectors else []
        passages = [split_passages(p.query_text) for p in checked]
        lexical = self._lexical_batch([p.query_text for p in checked])
        # One encoder call for the whole batch. (Encoding slices in a worker thread while ranking was
        # measured slower on 2 cores: smaller batches and contention; docs/benchmarks.md.)
        with self._lock:  # the encoders are not guaranteed thread-safe
            vectors = encode_queries(self.embedder, [s for group in passages for s in group])
        out, start = [], 0
        means = np.zeros((len(checked), vectors.shape[1]), dtype=np.float32)
        for n, (proposal, group) in enumerate(zip(checked, passages)):
            q = vectors[start:start + len(group)]
            start += len(group)
            means[n] = q.mean(axis=0)
            out.append(self._rank(proposal, q, top_k, lang or detect_language(proposal.text), lexical[n]))
        if return_vectors:
            return out, means / np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)
        return out

    def _dense(self, name: str, queries: np.ndarray, n_items: int, k: int) -> np.ndarray:
        scores, rows = self.indexes_[name].search(queries, k)
        return ranking.best_per_item(scores, rows, self.row_items_[name], n_items)

    def _country_mask(self, iso: str | None) -> np.ndarray:
        """Which precedents worked in a country, computed once per country (dict writes are atomic)."""
        mask = self._country_masks.get(iso)
        if mask is None:
            mask = np.array([iso is not None and iso in c for c in self.prec_countries_], dtype=bool)
            self._country_masks[iso] = mask
        return mask

    def _lexical_batch(self, texts: Sequence[str]) -> list[dict]:
        """Per text and catalogue: lexical scores of every item (one sparse product for the whole batch),
        or, for a catalogue too large to score whole, the text's sparse vector to score candidates with."""
        per_catalogue = {}
        for name in INDEXED:
            scorer = self.lexical_[name]
            vectors = scorer.transform(list(texts))
            whole = scorer.n_items <= LEXICAL_WHOLE_LIMIT
            per_catalogue[name] = scorer.score(vectors) if whole else vectors
        return [{name: ("scores", m[i]) if isinstance(m, np.ndarray) else ("vector", m[i])
                 for name, m in per_catalogue.items()} for i in range(len(texts))]

    def _lexical(self, lexical: dict, name: str, rows: np.ndarray | None) -> np.ndarray:
        kind, value = lexical[name]
        if kind == "scores":
            return value if rows is None else value[rows]
        return self.lexical_[name].score(value, rows=rows)[0]

    def _signals(self, text: str, q: np.ndarray, iso: str | None, lexical: dict | None = None) -> dict:
        """Every signal for one proposal: precedent candidates and scores, per-target signals.

        lexical: this text's entry of `_lexical_batch` when the caller scored a batch."""
        cfg = self.config
        lexical = lexical or self._lexical_batch([text])[0]
        # Precedents: dense candidates, then lexical and country on those only.
        n_p = len(self.prec_ids_)
        index = self.indexes_["precedents"]
        dense_all = self._dense("precedents", q, n_p, min(index.index.ntotal, cfg.candidate_rows))
        cand = np.flatnonzero(dense_all > -1.0)
        dense_p = ranking.dense_to_unit(dense_all[cand])
        lex_p = self._lexical(lexical, "precedents", cand)
        in_country = self._country_mask(iso)[cand]
        prec_score = ranking.fuse({"dense": dense_p, "lexical": lex_p}, cfg.precedent_weights)
        prec_score = np.clip(prec_score + cfg.country_bonus * in_country, 0.0, 1.0)
        full_score = np.zeros(n_p, dtype=np.float32)
        full_score[cand] = prec_score

        # SDG targets: every target is scored (169), so search them all.
        n_t = len(self.target_ids_)
        dense_t = ranking.dense_to_unit(self._dense("sdg_targets", q, n_t, self.indexes_["sdg_targets"].index.ntotal))
        lex_t = self._lexical(lexical, "sdg_targets", None)
        hits = self.aurora_.match(text)
        kw_t = np.zeros(n_t, dtype=np.float32)
        for tid in hits:
            kw_t[self.target_pos_[tid]] = 1.0
        prop_t, via = ranking.propagate_labels(full_score, self.prec_targets_, n_t, cfg.propagation_neighbours)
        weights = cfg.language_target_weights.get(detect_language(text), cfg.target_weights)
        target_score = ranking.fuse({"dense": dense_t, "lexical": lex_t, "keyword": kw_t, "precedent": prop_t},
                                    weights)
        goal_features = goal_model.goal_features(target_score, dense_t, lex_t, kw_t, self.target_goals_)
        top = int(ranking.rank_order(target_score, self.target_ids_)[0])
        return dict(top_goal=int(self.target_goals_[top]), top_support=float(prop_t[top]), cand=cand, dense_p=dense_p, lex_p=lex_p, in_country=in_country, prec_score=prec_score,
                    full_score=full_score, dense_t=dense_t, lex_t=lex_t, kw_t=kw_t, hits=hits, prop_t=prop_t,
                    via=via, target_score=target_score, goal_features=goal_features)

    def _goal_encoder(self) -> tuple[Embedder, int | None]:
        """The embedder the goal classifier reads, and where its block sits in our query vectors
        (None when our embedder lacks it and texts must be encoded again)."""
        found = find_part(self.embedder, goal_model.CLASSIFIER_PART)
        if found is not None:
            return found
        if self._goal_part is None:
            self._goal_part = USEEmbedder()
        return self._goal_part, None

    def _goal_vector(self, text: str, q: np.ndarray) -> np.ndarray:
        """The unit vector the goal classifier reads for one text (mean over its passages)."""
        part, start = self._goal_encoder()
        block = part.encode(split_passages(text)) if start is None else l2_normalise(q[:, start:start + part.dim])
        return l2_normalise(block.mean(axis=0, keepdims=True))[0]

    def goal_target_vectors(self, languages: Sequence[str] = ("en",)) -> tuple[np.ndarray, np.ndarray]:
        """The target texts as the goal classifier reads them, with the goal of each: the classifier's
        prior knowledge of what each goal is about. English only by default: adding our Korean texts
        lowered dev accuracy (0.885 -> 0.880, SDG 11 0.918 -> 0.900) and did not help Korean."""
        self._require_loaded()
        texts, goals = [], []
        for row in self.target_rows_:
            for lang in languages:
                if row[f"text_{lang}"]:
                    texts.append(_target_text(row, lang)); goals.append(int(row["goal"]))
        part, _ = self._goal_encoder()
        return part.encode(texts, kind="document"), np.array(goals)

    def goal_evidence(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """For fitting and evaluating the goal decision: signal features (n, 17, n_signal_features),
        the goal classifier's input vectors (n, dim), the goal of each text's top target (n,), and
        the precedent support of that target (n,)."""
        self._require_loaded()
        passages = [split_passages(t) for t in texts]
        vectors = encode_queries(self.embedder, [s for g in passages for s in g])
        features, goal_vectors, top_goal, support, start = [], [], [], [], 0
        for text, group in zip(texts, passages):
            q = vectors[start:start + len(group)]
            sig = self._signals(text, q, None)
            features.append(sig["goal_features"]); top_goal.append(sig["top_goal"]); support.append(sig["top_support"])
            goal_vectors.append(self._goal_vector(text, q))
            start += len(group)
        return np.stack(features), np.stack(goal_vectors), np.array(top_goal), np.array(support)

    def _rank(self, proposal: Proposal, q: np.ndarray, top_k: int, lang: str, lexical: dict) -> dict:
        cat, cfg = self.catalogues_, self.config
        text = proposal.query_text
        iso = proposal.partner_country

        sig = self._signals(text, q, iso, lexical)
        cand, dense_p, lex_p, in_country, prec_score, full_score = (
            sig[k] for k in ("cand", "dense_p", "lex_p", "in_country", "prec_score", "full_score"))
        dense_t, lex_t, kw_t, hits, prop_t, via, target_score = (
            sig[k] for k in ("dense_t", "lex_t", "kw_t", "hits", "prop_t", "via", "target_score"))
        if self.goal_model_ is None:
            raise self.goal_model_error_
        decision = self.goal_model_
        supported = sig["top_goal"] if sig["top_support"] >= decision.precedent_support else None
        probability, present = decision.decide(sig["goal_features"], self._goal_vector(text, q),
                                               detect_language(proposal.text), supported)
        goals = [{"goal": g, "present": bool(present[g - 1]),
                  "score": round(float(probability[g - 1]), 4)} for g in range(1, 18)]

        query_terms = Terms(text)
        targets = []
        for i in ranking.rank_order(target_score, self.target_ids_)[:top_k]:
            row = self.target_rows_[i]
            targets.append({
                "id": row["id"], "goal": int(row["goal"]), "score": round(float(target_score[i]), 4),
                "is_sdg11": bool(row["is_sdg11"]), "title": row["title_ko"] if lang == "ko" and row["title_ko"]
                else row["title_en"],
                "reason": target_reason(hits.get(row["id"], []), shared(query_terms, self.target_terms_[i]), float(dense_t[i]),
                                        self.prec_ids_[via[i]] if via[i] >= 0 else None, lang),
                "signals": {"dense": round(float(dense_t[i]), 4), "lexical": round(float(lex_t[i]), 4),
                            "keyword": float(kw_t[i]), "precedent": round(float(prop_t[i]), 4)},
                "keywords": hits.get(row["id"], []),
            })
        # SDG 11 first among equals: the ranking is by score, and the flag lets the UI mark them.

        precedents = []
        order = ranking.rank_order(prec_score, self.prec_ids_[cand])
        for j in order[:top_k]:
            i = cand[j]
            row = self.prec_rows_[i]
            precedents.append({
                "id": row["id"], "lg_codes": self.prec_lgs_[i], "partner_iso2": row["partner_iso2"],
                "title": row["title_ko"] if lang == "ko" else row["title_en"],
                "score": round(float(prec_score[j]), 4),
                "reason": precedent_reason(shared(query_terms, self.prec_terms_[i]), float(dense_p[j]), bool(in_country[j]),
                                           self.resolver_.name(iso, lang) if iso else "", lang),
                "signals": {"dense": round(float(dense_p[j]), 4), "lexical": round(float(lex_p[j]), 4),
                            "same_country": bool(in_country[j])},
                "partner_locality": row["partner_locality"], "years": _years(row), "domestic": bool(row["domestic"]),
                "budget_krw": None if np.isnan(row["budget_krw"]) else float(row["budget_krw"]),
                "source_url": row["source_url"],
            })

        # Local governments from their portfolios.
        codes = self.lg_codes_
        port = ranking.rank_governments(full_score, self.prec_lgs_, self.prec_countries_, codes, iso, cfg.portfolio,
                                        pairs=self.portfolio_pairs_, in_country=self._country_mask(iso))
        governments = []
        for i in ranking.rank_order(port["score"], codes)[:top_k]:
            row = self.lg_rows_[i]
            b = int(port["best_index"][i])
            governments.append({
                "code": row["code"], "name_en": row["name_en"], "name_ko": row["name_ko"], "level": row["level"],
                "score": round(float(port["score"][i]), 4),
                "reason": government_reason(
                    best_id=self.prec_ids_[b] if b >= 0 else None,
                    best_title=self.prec_rows_[b]["title_ko" if lang == "ko" else "title_en"] if b >= 0 else "",
                    best=float(port["best"][i]), n_cases=int(port["n_cases"][i]), n_country=int(port["n_country"][i]),
                    country=self.resolver_.name(iso, lang) if iso else "", weights=cfg.portfolio, lang=lang),
                "components": {"best_precedent": round(float(port["best"][i]), 4),
                               "country_experience": round(float(port["country_experience"][i]), 4),
                               "n_cases": int(port["n_cases"][i]), "n_cases_in_country": int(port["n_country"][i])},
                "best_precedent": self.prec_ids_[b] if b >= 0 else None,
                "lat": float(row["lat"]), "lon": float(row["lon"]),
            })

        city = self.resolver_.find_city(iso, proposal.partner_city)
        warnings = []
        if proposal.partner_city and city is None:
            warnings.append(f"partner city {proposal.partner_city!r} is not in the GeoNames list"
                            + (f" for {iso}" if iso else "") + "; it is kept as written but not placed on the map")
        return {"sdg_goals": goals, "sdg_targets": targets, "precedents": precedents, "local_governments": governments,
                "language": lang, "partner_country": iso, "partner_city": city or proposal.partner_city or None,
                "passages": int(len(q)), "warnings": warnings}


def _years(row) -> str:
    start, end = row["year_start"], row["year_end"]
    start = "" if start is None or str(start) in {"<NA>", "nan"} else str(start)
    end = "" if end is None or str(end) in {"<NA>", "nan"} else str(end)
    if start and end and start != end:
        return f"{start}–{end}"
    return start or end


def target_reason(keywords: Iterable[str], words: Sequence[str], dense: float, via: str | None, lang: str) -> str:
    keywords = list(keywords)
    if lang == "ko":
        parts = [f"유사 사례 {via}의 목표"] if via else []
        if keywords:
            parts.append("Aurora 키워드 일치: " + ", ".join(keywords[:4]))
        if words:
            parts.append("공통 단어: " + ", ".join(words[:4]))
        parts.append(f"의미 유사도 {dense:.2f}")
        return "; ".join(parts)
    parts = [f"target of similar precedent {via}"] if via else []
    if keywords:
        parts.append("Aurora keywords matched: " + ", ".join(keywords[:4]))
    if words:
        parts.append("shared words: " + ", ".join(words[:4]))
    parts.append(f"meaning similarity {dense:.2f}")
    return "; ".join(parts)


def precedent_reason(words: Sequence[str], dense: float, same_country: bool, country: str, lang: str) -> str:
    if lang == "ko":
        parts = ["공통 단어: " + ", ".join(words[:4])] if words else []
        if same_country:
            parts.append(f"같은 협력국({country})")
        parts.append(f"의미 유사도 {dense:.2f}")
        return "; ".join(parts)
    parts = ["shared words: " + ", ".join(words[:4])] if words else []
    if same_country:
        parts.append(f"same partner country ({country})")
    parts.append(f"meaning similarity {dense:.2f}")
    return "; ".join(parts)


def government_reason(*, best_id: str | None, best_title: str, best: float, n_cases: int, n_country: int,
                      country: str, weights: ranking.PortfolioWeights, lang: str) -> str:
    if best_id is None:
        return "사례 목록에 이 지자체의 국제협력 사례가 없음" if lang == "ko" else \
            "no precedent of this government in the catalogue"
    if lang == "ko":
        text = f"가장 가까운 사례 {best_id} '{best_title}' ({best:.2f}); 전체 사례 {n_cases}건"
        if country:
            text += f"; {country} 사례 {n_country}건 (점수 = {weights.best_precedent:.1f}×사례 + " \
                    f"{weights.country_experience:.1f}×협력국 경험)"
        return text
    text = f"best precedent {best_id} '{best_title}' ({best:.2f}); {n_cases} case(s) in all"
    if country:
        text += f"; {n_country} in {country} (score = {weights.best_precedent:.1f}×precedent + " \
                f"{weights.country_experience:.1f}×country experience)"
    return text
