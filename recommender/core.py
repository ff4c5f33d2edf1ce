"""The facade: `Recommender` builds, saves and loads the indexes and ranks proposals.

It only composes: the catalogues (`catalogue`), the index folders (`index`), the signals
(`signals`), the goal decision (`goal_model`) and the assembly of typed results (`assemble`).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from . import assemble, goal_model, ranking
from .catalogue import INDEXED, Catalogues, index_passages, lexical_corpus, load_catalogues, target_passage
from .design import with_design
from .embedders import (
    DEFAULT_EMBEDDER,
    Embedder,
    FusedEmbedder,
    blend_glosses,
    blend_renderings,
    detect_language,
    encode_documents,
    encode_queries,
    load_embedder,
    make_embedder,
    mix_multilingual,
    prepare_embedder,
)
from .errors import ArtefactError, CatalogueError, InputError, RecommenderError
from .governments import FILE_NAME as GOVERNMENT_MODEL
from .governments import GovernmentModel
from .index import VectorIndex, build_lock
from .indicators import FROM_TARGETS as INDICATOR_TARGETS
from .indicators import IndicatorCatalogue
from .korean import default_reader
from .lexical import LexicalScorer
from .needs import INDEX_NAME as NEEDS_INDEX
from .needs import NeedMatcher, NeedsCatalogue, country_fit, load_needs, need_matches, proposal_lines
from .officer import OfficerView
from .places import Gazetteer, PartnerPlace
from .proposal import Proposal
from .results import GovernmentView, Recommendation
from .signals import CatalogueView, GoalVectors, LexicalBatch, Signals, SignalScorer
from .text import split_passages
from .typology import Typology

log = logging.getLogger(__name__)

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DEFAULT_MODELS_DIR = Path(__file__).resolve().parents[1] / "models"


@dataclass(frozen=True)
class RankingConfig:
    """Weights and sizes of the ranking; defaults measured in docs/evaluation.md."""

    top_k: int = 10
    # Chosen on the dev split of eval/offcatalogue_proposals.csv with the gold proposals beside it
    # (eval/sweep_korean.py, docs/evaluation.md).
    target_weights: Mapping[str, float] = field(
        default_factory=lambda: {"dense": 0.5, "lexical": 0.1, "keyword": 0.15, "precedent": 0.25}
    )
    # How many of the closest precedents lend their SDG targets to the proposal.
    propagation_neighbours: int = 5
    # Per-language overrides of target_weights: Korean keyword evidence comes from the gloss.
    language_target_weights: Mapping[str, Mapping[str, float]] = field(
        default_factory=lambda: {"ko": {"dense": 0.5, "lexical": 0.1, "keyword": 0.1, "precedent": 0.25}}
    )
    # Precedents: dense and lexical similarity, and "targets": how well the proposal's own target
    # evidence (dense, lexical and keyword, before any lending) fits the targets the case serves, a
    # reading both languages share (docs/precedent_parity.md).
    precedent_weights: Mapping[str, float] = field(
        default_factory=lambda: {"dense": 0.8, "lexical": 0.2, "targets": 0.3}
    )
    # Added to a precedent's score (then capped at 1) when it worked in the proposal's partner country.
    country_bonus: float = 0.05
    # Precedent vector rows fetched per query passage before re-scoring (bounds work on big catalogues).
    candidate_rows: int = 400
    # Korean queries: weight of the English encoder's reading of the text's English gloss (korean.py),
    # beside the multilingual encoder's reading of the Korean (0: the Korean alone).
    korean_gloss_weight: float = 0.7
    # Korean queries: the keyword queries read the gloss with every English rendering of each term
    # (True) or only the preferred one (False).
    keyword_gloss_alternatives: bool = True
    # Korean queries: the precedent list reads what an English text's does, the gloss blend and the
    # lexical signal on the gloss (True), or the multilingual encoder and the Korean n-grams alone (False,
    # the earlier reading, which shared 0.26 of its top 5 with the English list on the dev split).
    korean_precedents_read_gloss: bool = True
    # Korean queries: the governments are ranked from the precedents as that reading sees them (True), or
    # as the multilingual encoder alone does (False). Off while the ranker learned from unmasked texts (a
    # Korean case text names its own government, and the names in the gloss taught it to lean on
    # similarity); with the ranker fitted on masked texts without the sibling leak, switching it on and
    # refitting raised the Korean MRR on every catalogue split (programme held out 0.450 -> 0.471,
    # earlier cases only 0.358 -> 0.375, time split 0.421 -> 0.426) and the Korean gold top 3
    # (0.38 -> 0.55), English unchanged or better in MRR (docs/evaluation.md).
    korean_governments_read_gloss: bool = True
    # The precedent list reads each case in both its languages (its dense signal is the mean of the
    # best cosine to each version), not only the version nearest the query: a Korean query is nearest
    # the Korean version, an English one the English version, and the two versions of a case say
    # different things, so the same proposal in two languages ranked the cases by different texts.
    precedent_list_both_languages: bool = True
    # English queries: the precedent list also reads the text's Korean rendering (korean.py, the
    # lexicon read backwards) with the multilingual encoder, with this weight, as a Korean query reads
    # its English gloss; 0 turns it off. Governments, targets and project models read the text alone.
    english_list_reads_korean: float = 0.2
    # Korean queries: the multilingual encoder's part of the precedent list also reads the English gloss,
    # with this share (the rest stays its reading of the Korean): the mirror of the above, so that both
    # languages' lists read an English text and a Korean one with the multilingual encoder. Dev parity
    # 0.60 / 0.48 -> 0.62 / 0.52, gold 0.81 / 0.87 -> 0.81 / 0.92 (docs/precedent_parity.md); 0 turns it off.
    korean_list_reads_gloss: float = 0.5
    # Hubness correction of the target cosines: subtract this times each target's centred mean
    # similarity to its nearest reference texts (the precedents); 0 turns it off.
    hubness: float = 0.5
    hubness_neighbours: int = 5
    # A precedent lends its targets with its score rescaled from [floor, 1] to [0, 1], floor by query
    # language: a proposal only loosely like every case (a topic the catalogue lacks) borrows little.
    lending_floor: Mapping[str, float] = field(default_factory=lambda: {"en": 0.3, "ko": 0.2})


@dataclass(frozen=True)
class RecommendationBatch:
    """Results of `recommend_batch`, with one unit vector per proposal (the mean of its passages) for
    the near-duplicate flags of a call."""

    recommendations: list[Recommendation]
    vectors: np.ndarray


class Background:
    """A call run on a second thread; `wait()` returns its result or raises what it raised."""

    def __init__(self, fn, *args):
        self._result, self._error = None, None
        self._thread = threading.Thread(target=self._run, args=(fn, *args), daemon=True)
        self._thread.start()

    def _run(self, fn, *args) -> None:
        try:
            self._result = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller by wait()
            self._error = exc

    def wait(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result


class Recommender:
    """Build once (`build`), then `load` and `recommend`; `open` does whichever is needed."""

    def __init__(
        self,
        data_dir: str | Path = DEFAULT_DATA_DIR,
        models_dir: str | Path = DEFAULT_MODELS_DIR,
        embedder: str | Embedder = DEFAULT_EMBEDDER,
        config: RankingConfig | None = None,
    ):
        self.data_dir = Path(data_dir)
        self.models_dir = Path(models_dir)
        self.embedder = make_embedder(embedder, models_dir=self.models_dir) if isinstance(embedder, str) else embedder
        # the name other processes (Dask workers) need to load the same embedder; None for an object
        self.embedder_spec = embedder if isinstance(embedder, str) else None
        self._config = config or RankingConfig()
        self.scorer_: SignalScorer | None = None
        self.catalogues_: Catalogues | None = None
        self.indexes_: dict[str, VectorIndex] = {}
        self.view_: CatalogueView | None = None
        self.goal_decision_: goal_model.GoalDecisionModel | None = None
        self.goal_decision_error_: CatalogueError | None = None
        self.government_model_: GovernmentModel | None = None
        self.government_model_error_: CatalogueError | None = None
        self.typology_: Typology | None = None
        self.indicators_: IndicatorCatalogue | None = None
        self.model_cases_: list[tuple[str, int]] = []
        self.goal_vectors_ = GoalVectors(self.embedder)
        self.needs_: NeedsCatalogue | None = None
        self.needs_matcher_: NeedMatcher | None = None
        self.officer_: OfficerView | None = None
        self._lock = threading.Lock()

    # ---------------------------------------------------------------- public state
    @property
    def config(self) -> RankingConfig:
        return self._config

    @config.setter
    def config(self, config: RankingConfig) -> None:
        """Weights can change after loading (re-ranking needs no rebuild; the weight sweeps do this)."""
        self._config = config
        if self.scorer_ is not None:
            self.scorer_.config = config
            self.view_.target_hub = self._target_hub()

    @property
    def catalogues(self) -> Catalogues:
        self._require_loaded()
        return self.catalogues_

    @property
    def indexes(self) -> Mapping[str, VectorIndex]:
        self._require_loaded()
        return dict(self.indexes_)

    @property
    def goal_decision(self) -> goal_model.GoalDecisionModel | None:
        return self.goal_decision_

    def use_goal_decision(self, decision: goal_model.GoalDecisionModel) -> None:
        """Decide goals with `decision` from now on (evaluation installs a refitted one)."""
        self.goal_decision_, self.goal_decision_error_ = decision, None

    @property
    def goal_encoder_loaded_separately(self) -> bool:
        """True once a USE model was loaded beside an embedder that lacks it (for the goal classifier)."""
        return self.goal_vectors_.loaded_separately

    # ---------------------------------------------------------------- build / save / load
    def _fingerprint(self, name: str) -> str:
        """The catalogue file's hash and the hash of the passages made from it: an index is stale when
        either the data or the way passages are composed has changed."""
        if name == NEEDS_INDEX:
            return self.needs_.passage_fingerprint()
        ids, texts, langs = index_passages(self.catalogues_, name)
        digest = hashlib.sha256("\x1e".join(f"{i}\x1f{lang}\x1f{t}" for i, t, lang in zip(ids, texts, langs)).encode())
        return f"{self.catalogues_.fingerprints[name]}-{digest.hexdigest()[:12]}"

    def _lexical_description(self, name: str) -> dict:
        """The lexical model an index folder must hold: its settings and a hash of the documents it was fitted on."""
        documents, items = lexical_corpus(self.catalogues_, name)
        digest = hashlib.sha256("\x1e".join(f"{i}\x1f{d}" for d, i in zip(documents, items)).encode())
        return dict(LexicalScorer().describe(), corpus=digest.hexdigest()[:16])

    def _expected(self, name: str) -> dict:
        return {
            "catalogue": name,
            "embedder": self.embedder.id,
            "catalogue_fingerprint": self._fingerprint(name),
            **({"lexical": self._lexical_description(name)} if name in INDEXED else {}),
        }

    def _load_needs(self) -> None:
        cat = self.catalogues_
        self.needs_ = load_needs(self.data_dir, set(cat.countries["iso2"]), set(cat.local_governments["code"]))

    def _prepare(self) -> None:
        self.typology_ = Typology.load(self.data_dir)
        self.indicators_ = IndicatorCatalogue.load(self.data_dir)
        self.view_ = CatalogueView(self.catalogues_, self.indexes_)
        # (case, position) of the cases the models hold: a model is placed by these scores alone
        position = self.view_.precedent_position
        self.model_cases_ = [(c, position[c]) for m in self.typology_.models for c in m.cases if c in position]
        needs_index = self.indexes_[NEEDS_INDEX]
        position = {n: i for i, n in enumerate(self.needs_.needs["id"])}
        self.needs_matcher_ = NeedMatcher(
            self.needs_,
            needs_index.index.reconstruct_n(0, needs_index.index.ntotal),
            [position[i] for i in needs_index.item_ids],
            self.view_.gazetteer,
        )
        self.precedent_dac_ = self.catalogues_.precedents["dac_code"].astype(str).tolist()
        self.officer_ = None
        self.view_.target_hub = self._target_hub()
        self.scorer_ = SignalScorer(self.view_, self.config)
        # Kept, not raised, when missing or outdated: `recommender evaluate --fit-...-model` must be
        # able to open the recommender to (re)fit them. Recommending raises them.
        try:
            self.goal_decision_ = goal_model.GoalDecisionModel.load(self.data_dir / goal_model.FILE_NAME)
        except CatalogueError as exc:
            self.goal_decision_, self.goal_decision_error_ = None, exc
        try:
            self.government_model_ = GovernmentModel.load(self.data_dir / GOVERNMENT_MODEL)
        except CatalogueError as exc:
            self.government_model_, self.government_model_error_ = None, exc

    def _target_hub(self) -> np.ndarray:
        """Each target's centred hub score against the precedent passages read as queries would be
        (each part weighted as for a query in the passage's language)."""
        reference_index = self.indexes_["precedents"]
        n = min(reference_index.index.ntotal, 5000)
        reference = reference_index.index.reconstruct_n(0, n)
        if isinstance(self.embedder, FusedEmbedder):
            start, blocks = 0, []
            for part, weight in zip(self.embedder.parts, self.embedder.weights):
                block = reference[:, start : start + part.dim]
                blocks.append(block * weight * (np.linalg.norm(block, axis=1, keepdims=True) > 0))
                start += part.dim
            reference = np.hstack(blocks)
            reference /= np.maximum(np.linalg.norm(reference, axis=1, keepdims=True), 1e-12)
        targets = self.indexes_["sdg_targets"]
        vectors = targets.index.reconstruct_n(0, targets.index.ntotal)
        hub = ranking.hub_scores(reference, vectors, self.config.hubness_neighbours)
        per_target = np.zeros(len(self.view_.target_ids), dtype=np.float32)
        np.maximum.at(per_target, self.view_.row_items["sdg_targets"], hub)
        return per_target - per_target.mean()

    def build(self) -> Recommender:
        """Encode the catalogues and write one index folder per catalogue under models_dir."""
        self.catalogues_ = load_catalogues(self.data_dir)
        self._load_needs()
        with build_lock(self.models_dir):
            prepare_embedder(self.embedder)  # the ONNX export of the English encoder, when missing or stale
            for name in (*INDEXED, NEEDS_INDEX):
                ids, texts, langs = (
                    self.needs_.passages() if name == NEEDS_INDEX else index_passages(self.catalogues_, name)
                )
                log.info("encoding %d passages of %s with %s", len(texts), name, self.embedder.id)
                vectors = encode_documents(self.embedder, texts, langs)
                index = VectorIndex.build(
                    vectors,
                    ids,
                    langs,
                    catalogue=name,
                    embedder_id=self.embedder.id,
                    fingerprint=self._fingerprint(name),
                )
                # the lexical model is fitted here and loaded with the index: nothing is fitted at open
                if name in INDEXED:
                    lexical = LexicalScorer().fit(*lexical_corpus(self.catalogues_, name))
                    index.add_arrays(lexical.arrays(), lexical=self._lexical_description(name))
                index.save(self.models_dir / name)
                self.indexes_[name] = index
        self._prepare()
        return self

    def load(self) -> Recommender:
        """Load the saved indexes; StaleIndexError/NotBuiltError if they do not match data and embedder.

        The encoders' exports are checked and their models loaded on a second thread meanwhile: hashing,
        reading files and onnxruntime's set-up release the GIL, so on two cores they take no extra time."""
        encoders = Background(load_embedder, self.embedder)
        try:
            self.catalogues_ = load_catalogues(self.data_dir)
            self._load_needs()
            self.indexes_ = {
                name: VectorIndex.load(self.models_dir / name, expect=self._expected(name))
                for name in (*INDEXED, NEEDS_INDEX)
            }
            self._prepare()
        finally:
            encoders.wait()  # before any rebuild, and raising what the check raised
        return self

    @classmethod
    def open(cls, *args, rebuild: bool = True, **kwargs) -> Recommender:
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
        for name in (*INDEXED, NEEDS_INDEX):
            index = self.indexes_.get(name)
            out[name] = index.manifest if index else "not loaded"
        decision = self.goal_decision_
        if decision is not None:
            out["goal_model"] = decision.describe()
        elif self.goal_decision_error_ is not None:
            out["goal_model"] = str(self.goal_decision_error_)
        if self.government_model_ is not None:
            out["government_model"] = {
                "trained_on": self.government_model_.trained_on,
                "features": list(self.government_model_.features),
            }
        elif self.government_model_error_ is not None:
            out["government_model"] = str(self.government_model_error_)
        return out

    # ---------------------------------------------------------------- recommend
    def _require_loaded(self) -> None:
        if self.catalogues_ is None or not self.indexes_:
            raise RecommenderError(
                "the recommender is not loaded: call Recommender.open() (or build() / load()), "
                "or run `recommender build` first"
            )

    def precedent_budgets(self) -> dict[str, float]:
        """Known budgets (KRW) of the precedents, by id."""
        p = self.catalogues.precedents
        return {pid: float(b) for pid, b in zip(p["id"], p["budget_krw"]) if not np.isnan(b)}

    def check(self, proposal: Proposal | Mapping | str) -> Proposal:
        self._require_loaded()
        return Proposal.from_value(proposal).checked(self.view_.resolver)

    def recommend(
        self,
        proposal: Proposal | Mapping | str,
        *,
        top_k: int | None = None,
        lang: str | None = None,
        exclude_precedents: Iterable[str] = (),
    ) -> Recommendation:
        """Ranked SDG goals and targets, precedents and local governments for one proposal.

        exclude_precedents: precedent ids to leave out of every list and portfolio (leave-one-out)."""
        return self.recommend_batch(
            [proposal], top_k=top_k, lang=lang, exclude_precedents=exclude_precedents
        ).recommendations[0]

    def recommend_many(
        self, proposals: Sequence[Proposal | Mapping | str], *, top_k: int | None = None, lang: str | None = None
    ) -> list[Recommendation]:
        """Like `recommend` for several proposals, encoding all their passages in one batch.
        Raises InputError on the first unusable proposal; batch callers check rows first (`batch`)."""
        return self.recommend_batch(proposals, top_k=top_k, lang=lang).recommendations

    def partner_places(self, proposal: Proposal) -> tuple[Proposal, tuple[PartnerPlace, ...], bool]:
        """(the proposal, with its partner country read from the text when it gives none; the partner
        places its city field names, or failing that its text; whether the country came from the text)."""
        self._require_loaded()
        linker = self.view_.linker
        iso = proposal.partner_country
        from_text = False
        if iso is None:
            iso = linker.country_in(f"{proposal.partner_city} {proposal.query_text}")
            from_text = iso is not None
        places = linker.link(proposal.partner_city, iso, proposal.query_text) if iso else []
        if from_text:
            proposal = replace(proposal, partner_country=iso)
        return proposal, tuple(places), from_text

    @property
    def gazetteer(self) -> Gazetteer:
        """The partner places the linker reads (`data/places.csv`), one country parsed on first use."""
        self._require_loaded()
        return self.view_.gazetteer

    def place_options(self, iso2: str, lang: str = "en") -> dict[str, str]:
        """The partner places a drop-down offers for a country (id -> label in `lang`): its provinces,
        then its largest cities, from the same gazetteer the linker reads. An id given back as a
        proposal's partner_city is read as that place."""
        self._require_loaded()
        return self.gazetteer.options(iso2, lang)

    def recommend_batch(
        self,
        proposals: Sequence[Proposal | Mapping | str],
        *,
        top_k: int | None = None,
        lang: str | None = None,
        exclude_precedents: Iterable[str] = (),
    ) -> RecommendationBatch:
        linked = [self.partner_places(self.check(p)) for p in proposals]
        checked = [p for p, _, _ in linked]
        top_k = self.config.top_k if top_k is None else int(top_k)
        if top_k < 1:
            raise InputError(f"top_k must be at least 1; received {top_k}")
        if self.goal_decision_ is None:
            raise self.goal_decision_error_
        if self.government_model_ is None:
            raise self.government_model_error_
        exclude = [self.view_.precedent_position[p] for p in exclude_precedents if p in self.view_.precedent_position]
        if not checked:
            return RecommendationBatch([], np.zeros((0, self.embedder.dim), dtype=np.float32))
        out = []
        means = np.zeros((len(checked), self.embedder.dim), dtype=np.float32)
        walk = self._walk(
            [p.query_text for p in checked], [p.partner_country for p in checked], [exclude] * len(checked)
        )
        excluded = np.zeros(len(self.view_.precedent_ids), dtype=bool)
        excluded[exclude] = True
        for (n, text, queries, sig), (proposal, places, country_from_text) in zip(walk, linked):
            means[n] = queries.mean(axis=0)
            text_lang = detect_language(proposal.text)
            supported = sig.top_goal if sig.top_support >= self.goal_decision_.precedent_support else None
            probability, present = self.goal_decision_.decide(
                sig.goal_features, self.goal_vectors_.vector(text, queries), text_lang, supported, sig.top_goal
            )
            iso = proposal.partner_country
            evidence = self.view_.governments.evidence(
                sig.precedent_all, sig.goal_best, iso, [p.id for p in places if p.iso2 == iso], excluded
            )
            result = assemble.recommendation(
                self.view_,
                sig,
                proposal,
                probability,
                present,
                evidence,
                self.government_model_,
                lang=lang or text_lang,
                top_k=top_k,
                passages=len(queries),
                places=places,
                country_from_text=country_from_text,
            )
            case_scores = {case: float(sig.precedent_all[i]) for case, i in self.model_cases_}
            best = ranking.rank_order(sig.target_score, self.view_.target_ids)[:INDICATOR_TARGETS]
            top_targets = [(str(self.view_.target_ids[i]), float(sig.target_score[i])) for i in best]
            result = with_design(
                result, self.typology_, self.indicators_, case_scores, top_targets, proposal.query_text, text_lang
            )
            out.append(self._with_needs(result, proposal, places, queries, sig.precedent_all, excluded))
        means /= np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)
        return RecommendationBatch(out, means)

    def _with_needs(self, result: Recommendation, proposal: Proposal, places, queries, precedent_scores, excluded):
        """The result with the partner needs it answers and its country fit (needs.py)."""
        iso = proposal.partner_country
        lines = proposal_lines(precedent_scores, self.precedent_dac_, proposal.sector, excluded)
        scored = self.needs_matcher_.score(iso, [p.id for p in places if p.iso2 == iso], queries, lines)
        return replace(
            result,
            partner_needs=need_matches(self.needs_matcher_, scored, result.language),
            country_fit=country_fit(self.needs_matcher_, iso, lines, result.language, self.view_.resolver),
        )

    def _walk(
        self, texts: Sequence[str], countries: Sequence[str | None], excludes: Sequence[Sequence[int]] | None = None
    ):
        """(position, text, query vectors, signals) for each text: every passage of the batch is
        encoded in one call, and the lexical scores are one product per catalogue."""
        self._require_loaded()
        cfg = self.config
        passages = [split_passages(t) for t in texts]
        korean = [detect_language(t) == "ko" for t in texts]
        reader = default_reader() if any(korean) else None
        names = self.view_.place_names if reader is not None else None
        read_gloss = cfg.korean_precedents_read_gloss
        flat = [s for group in passages for s in group]
        korean_flat = [is_ko for group, is_ko in zip(passages, korean) for _ in group]
        # The target side reads the gloss of the text's terms. The precedent side also reads the names of
        # governments and places in it: the English case texts carry them (an English proposal meets its
        # own government's cases by name), while the target texts carry none.
        glossed = [reader.gloss(s) if ko and cfg.korean_gloss_weight > 0 else None for s, ko in zip(flat, korean_flat)]
        named = [reader.gloss(s, names=names) if ko and read_gloss else None for s, ko in zip(flat, korean_flat)]
        lexical = LexicalBatch(self.view_, texts)
        # the precedent lexical signal of a Korean text reads its gloss, as an English text's reads the English
        precedent_lexical = (
            LexicalBatch(self.view_, [reader.gloss(t, names=names) if ko else t for t, ko in zip(texts, korean)])
            if reader is not None and read_gloss
            else None
        )
        # the precedent list of an English text also reads its Korean rendering (the lexicon read backwards)
        render = cfg.english_list_reads_korean > 0 and not all(korean_flat)
        renderings = (
            [None if ko else default_reader().lexicon.render_korean(s) for s, ko in zip(flat, korean_flat)]
            if render
            else []
        )
        # ... and the list of a Korean text also reads its gloss with the multilingual encoder (the mirror)
        gloss_list = read_gloss and cfg.korean_list_reads_gloss > 0 and any(korean_flat)
        with self._lock:  # the encoders are not guaranteed thread-safe
            own = encode_queries(self.embedder, flat)
            vectors = blend_glosses(self.embedder, own, glossed, cfg.korean_gloss_weight)
            named_vectors = blend_glosses(self.embedder, own, named, cfg.korean_gloss_weight) if read_gloss else own
            rendered = (
                blend_renderings(self.embedder, own, renderings, cfg.english_list_reads_korean) if render else own
            )
            korean_list = (
                mix_multilingual(self.embedder, named_vectors, named, cfg.korean_list_reads_gloss)
                if gloss_list
                else named_vectors
            )
        start = 0
        for n, (text, group) in enumerate(zip(texts, passages)):
            queries = vectors[start : start + len(group)]
            precedent_queries = named_vectors[start : start + len(group)] if korean[n] else None
            government_queries = (
                own[start : start + len(group)] if korean[n] and not cfg.korean_governments_read_gloss else None
            )
            if korean[n]:
                list_queries = korean_list[start : start + len(group)] if gloss_list else None
            else:
                list_queries = rendered[start : start + len(group)] if render else None
            start += len(group)
            exclude = excludes[n] if excludes else ()
            keyword_text = reader.gloss(text, alternatives=cfg.keyword_gloss_alternatives) if korean[n] else None
            yield (
                n,
                text,
                queries,
                self.scorer_.compute(
                    text,
                    queries,
                    countries[n],
                    lexical,
                    n,
                    exclude,
                    keyword_text,
                    precedent_queries,
                    precedent_lexical=precedent_lexical if korean[n] else None,
                    government_queries=government_queries,
                    list_queries=list_queries,
                ),
            )

    @property
    def typology(self) -> Typology:
        """The Korean project models (data/project_models.csv) and their component vocabulary."""
        self._require_loaded()
        return self.typology_

    def pdm(self, result: Recommendation, proposal: Proposal | Mapping | str, lang: str | None = None) -> bytes:
        """A draft project design matrix (.docx bytes) of `proposal`, whose recommendation is `result`,
        in `lang` (default: the result's language)."""
        from .pdm import pdm_document

        return pdm_document(
            result,
            self.check(proposal),
            typology=self.typology,
            catalogues=self.catalogues,
            lang=lang or result.language,
        )

    def signals(self, texts: Sequence[str], countries: Sequence[str | None] | None = None) -> list[Signals]:
        """The raw signals of some texts (evaluation and weight sweeps read them)."""
        return [sig for _, _, _, sig in self._walk(texts, countries or [None] * len(texts))]

    def goal_evidence(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """For fitting and evaluating the goal decision: signal features (n, 17, n_signal_features),
        the goal classifier's input vectors (n, dim), the goal of each text's top target (n,), and
        the precedent support of that target (n,)."""
        features, goal_vectors, top_goal, support = [], [], [], []
        for _, text, queries, sig in self._walk(texts, [None] * len(texts)):
            features.append(sig.goal_features)
            top_goal.append(sig.top_goal)
            support.append(sig.top_support)
            goal_vectors.append(self.goal_vectors_.vector(text, queries))
        return np.stack(features), np.stack(goal_vectors), np.array(top_goal), np.array(support)

    def government_evidence(
        self,
        texts: Sequence[str],
        countries: Sequence[str | None],
        places: Sequence[str | None],
        exclude: Sequence[Sequence[str]],
    ) -> list:
        """For fitting and evaluating the government ranker: `governments.GovernmentEvidence` of each
        text, its partner place written as `places[i]` (or read from the text when empty), with the
        precedents named in `exclude[i]` absent for text i (a case never sees itself)."""
        self._require_loaded()
        positions = [
            [self.view_.precedent_position[p] for p in ids if p in self.view_.precedent_position] for ids in exclude
        ]
        linked = [
            self.partner_places(Proposal(text=t, partner_country=c, partner_city=w or ""))
            for t, c, w in zip(texts, countries, places)
        ]
        countries = [p.partner_country for p, _, _ in linked]
        out = []
        for n, _, _, sig in self._walk(texts, countries, positions):
            mask = np.zeros(len(self.view_.precedent_ids), dtype=bool)
            mask[positions[n]] = True
            iso, ids = countries[n], [p.id for p in linked[n][1] if p.iso2 == countries[n]]
            out.append(self.view_.governments.evidence(sig.precedent_all, sig.goal_best, iso, ids, mask))
        return out

    @property
    def officer(self) -> OfficerView:
        """The officer's view of the governments (made on first use; `for_government` reads it)."""
        self._require_loaded()
        if self.officer_ is None:
            with self._lock:
                if self.officer_ is None:
                    self.officer_ = OfficerView(
                        self.catalogues_, self.view_.governments, self.needs_matcher_, self.view_.resolver
                    )
        return self.officer_

    def for_government(self, government: str, *, top_k: int = 10, lang: str = "ko") -> GovernmentView:
        """A government (code, Korean or English name) at a glance, with its ranked opportunities:
        where it could propose next and on what. InputError for a name no government or several bear."""
        self._require_loaded()
        if not 1 <= int(top_k) <= 50:
            raise InputError(f"top_k must be between 1 and 50; received {top_k}")
        code = self.officer.names.resolve(government)
        return self.officer.view(code, top_k=int(top_k), lang="ko" if lang == "ko" else "en")

    def use_government_model(self, model: GovernmentModel) -> None:
        """Rank governments with `model` from now on (evaluation installs a refitted one)."""
        self.government_model_, self.government_model_error_ = model, None

    def goal_target_vectors(self, languages: Sequence[str] = ("en",)) -> tuple[np.ndarray, np.ndarray]:
        """The target texts as the goal classifier reads them, with the goal of each. English only by
        default (docs/evaluation.md, "Tried and not kept")."""
        self._require_loaded()
        texts, goals = [], []
        for row in self.view_.target_rows:
            for lang in languages:
                if row[f"text_{lang}"]:
                    texts.append(target_passage(row, lang))
                    goals.append(int(row["goal"]))
        return self.goal_vectors_.documents(texts), np.array(goals)

    def goal_text_vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Texts as the goal classifier reads them (its weakly labelled rows: indicator names, vocabulary)."""
        return self.goal_vectors_.documents(list(texts))
