"""Scoring a whole call: a pure chunk scorer, one chunk loop, and an engine that runs the chunks.

A row that cannot be scored is reported (row number, id, reason) and the others are still scored.
The local engine runs chunks in this process; `distributed.DaskEngine` runs the same chunk scorer
on a Dask cluster. Nothing here imports an engine: it is passed in.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from .errors import InputError
from .flags import FlagConfig, near_duplicates, proposal_flags
from .io import check_output, find_columns, iter_table, write_results
from .results import BatchResult, RowError, ScoredProposal

log = logging.getLogger(__name__)


@dataclass
class ChunkResult:
    results: list[ScoredProposal]
    errors: list[RowError]
    vectors: np.ndarray  # float16, one per result: for near-duplicate flags across the whole call


def score_chunk(
    recommender,
    frame: pd.DataFrame,
    columns: dict[str, str],
    first_row: int,
    *,
    top_k: int | None = None,
    flag_config: FlagConfig | None = None,
) -> ChunkResult:
    """Score one partition of a call: a pure function of its rows (every engine runs this).

    first_row is the spreadsheet row of the partition's first row (the header is row 1). Rows that
    cannot be scored become errors; blank rows are skipped; ids default to `row<N>`.
    """
    flag_config = flag_config or FlagConfig()
    budgets = recommender.precedent_budgets()
    errors, rows, proposals = [], [], []
    for i, record in enumerate(frame.to_dict("records")):
        row = first_row + i
        if all(not str(v).strip() for v in record.values()):
            continue  # a blank line is not a proposal
        values = {f: record.get(c, "") for f, c in columns.items()}
        pid = str(values.get("id") or "").strip() or f"row{row}"
        try:
            proposal = recommender.check(values)
        except InputError as exc:
            errors.append(RowError(row, pid, str(exc)))
            continue
        rows.append((row, pid))
        proposals.append(proposal)
    if not proposals:
        return ChunkResult([], errors, np.zeros((0, 0), dtype=np.float16))
    batch = recommender.recommend_batch(proposals, top_k=top_k)
    out = []
    for (row, pid), proposal, result in zip(rows, proposals, batch.recommendations):
        flags = proposal_flags(result, proposal.budget, budgets, flag_config)
        out.append(
            ScoredProposal(
                pid,
                row,
                result,
                tuple(flags),
                title=proposal.title,
                text=proposal.text,
                partner_country=proposal.partner_country,
                budget=proposal.budget,
            )
        )
    return ChunkResult(out, errors, batch.vectors.astype(np.float16))  # half precision is enough for 0.9 cosine


class Engine(Protocol):
    def run(
        self,
        recommender,
        chunks: Iterable[tuple[pd.DataFrame, int]],
        columns: dict[str, str],
        *,
        top_k: int | None,
        flag_config: FlagConfig,
    ) -> Iterator[ChunkResult]: ...


class LocalEngine:
    """Chunks scored one after another in this process."""

    def run(self, recommender, chunks, columns, *, top_k, flag_config) -> Iterator[ChunkResult]:
        for frame, first_row in chunks:
            yield score_chunk(recommender, frame, columns, first_row, top_k=top_k, flag_config=flag_config)


class CallScorer:
    """Collects scored chunks in row order: duplicate ids become errors, vectors are kept for the
    near-duplicate flags, results go to `sink` (a list, or a spool file for large calls)."""

    def __init__(self, sink: Callable[[ScoredProposal], None], flag_config: FlagConfig):
        self.sink, self.flag_config = sink, flag_config
        self.errors: list[RowError] = []
        self.ids: list[str] = []
        self.vectors: list[np.ndarray] = []
        self.seen: set[str] = set()

    def add(self, chunk: ChunkResult) -> None:
        keep = []
        for n, result in enumerate(chunk.results):
            if result.id in self.seen:
                self.errors.append(
                    RowError(
                        result.row, result.id, f"duplicate id {result.id!r}; ids must be unique", code="duplicate_id"
                    )
                )
                continue
            self.seen.add(result.id)
            self.ids.append(result.id)
            keep.append(n)
            self.sink(result)
        if keep:
            self.vectors.append(chunk.vectors[keep])
        self.errors.extend(chunk.errors)

    def duplicates(self) -> dict[str, list[str]]:
        if not self.vectors:
            return {}
        return near_duplicates(self.ids, np.vstack(self.vectors).astype(np.float32), self.flag_config.near_duplicate)


def with_duplicate_flags(result: ScoredProposal, duplicates: dict[str, list[str]]) -> ScoredProposal:
    from dataclasses import replace

    extra = tuple(f"near_duplicate_of:{other}" for other in duplicates.get(result.id, []))
    return replace(result, flags=extra + result.flags) if extra else result


def _numbered(chunks: Iterable[pd.DataFrame], progress: Callable[[int], None] | None):
    row = 2  # the header is row 1
    for chunk in chunks:
        yield chunk, row
        row += len(chunk)
        if progress:
            progress(len(chunk))


def _score(
    recommender,
    chunks: Iterable[pd.DataFrame],
    columns: dict[str, str],
    sink,
    *,
    engine: Engine | None,
    top_k: int | None,
    flag_config: FlagConfig,
    progress,
) -> CallScorer:
    """The one chunk loop: every chunk through the engine into a CallScorer."""
    scorer = CallScorer(sink, flag_config)
    for result in (engine or LocalEngine()).run(
        recommender, _numbered(chunks, progress), columns, top_k=top_k, flag_config=flag_config
    ):
        scorer.add(result)
    return scorer


def score_frame(
    recommender,
    frame: pd.DataFrame,
    *,
    columns: dict[str, str] | None = None,
    top_k: int | None = None,
    chunk_size: int = 256,
    progress: Callable[[int], None] | None = None,
    flag_config: FlagConfig | None = None,
    engine: Engine | None = None,
) -> BatchResult:
    """Score every usable row of a frame in memory and flag it (the app's screening page)."""
    columns = columns or find_columns(frame.columns)
    flag_config = flag_config or FlagConfig()
    results: list[ScoredProposal] = []
    chunks = (frame.iloc[start : start + chunk_size] for start in range(0, len(frame), chunk_size))
    scorer = _score(
        recommender,
        chunks,
        columns,
        results.append,
        engine=engine,
        top_k=top_k,
        flag_config=flag_config,
        progress=progress,
    )
    duplicates = scorer.duplicates()
    return BatchResult(
        [with_duplicate_flags(r, duplicates) for r in results], sorted(scorer.errors, key=lambda e: e.row)
    )


def score_file(
    recommender,
    source: str | Path,
    output: str | Path,
    *,
    sheet=None,
    overrides: dict[str, str] | None = None,
    top_k: int | None = None,
    flag_config: FlagConfig | None = None,
    chunk_rows: int = 1024,
    progress: Callable[[int], None] | None = None,
    engine: Engine | None = None,
) -> tuple[int, list[RowError], list[Path]]:
    """Score a proposals file of any size with bounded memory.

    Chunks are read one at a time and scored by the engine; results are spooled to a temporary JSONL
    next to the output, then written out with the near-duplicate flags that needed the whole call.
    Returns (scored, errors, paths written).
    """
    flag_config = flag_config or FlagConfig()
    output = check_output(output, inputs=[source])
    chunks = iter_table(source, sheet, chunk_rows)
    first = next(chunks, None)
    if first is None:
        return 0, [], []
    columns = find_columns(first.columns, overrides)

    def every_chunk():
        yield first
        yield from chunks

    with tempfile.TemporaryFile("w+", encoding="utf-8", dir=output.parent) as spool:
        scorer = _score(
            recommender,
            every_chunk(),
            columns,
            lambda r: spool.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n"),
            engine=engine,
            top_k=top_k,
            flag_config=flag_config,
            progress=progress,
        )
        duplicates = scorer.duplicates()
        spool.seek(0)
        results = (with_duplicate_flags(ScoredProposal.from_dict(json.loads(line)), duplicates) for line in spool)
        errors = sorted(scorer.errors, key=lambda e: e.row)
        paths = write_results(results, errors, output) if scorer.ids else []
        return len(scorer.ids), errors, paths
