"""Scoring a whole call: a pure chunk scorer, one chunk loop, and an engine that runs the chunks.

A row that cannot be scored is reported (row number, id, reason) and the others are still scored.
The local engine runs chunks in this process; `distributed.DaskEngine` runs the same chunk scorer
on a Dask cluster. Nothing here imports an engine: it is passed in.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from .embedders import detect_language
from .errors import InputError
from .explain import message
from .flags import FlagConfig, call_budget_outliers, near_duplicates, proposal_flags
from .io import check_output, errors_path, find_columns, has_surrogate, iter_table, output_lock, visible, write_results
from .results import BatchResult, RowError, ScoredProposal
from .table_schema import ERROR, RESERVED, ROW, UNCACHED
from .worklist import CatalogueNames, worklist_key

log = logging.getLogger(__name__)


@dataclass
class ChunkResult:
    results: list[ScoredProposal]
    errors: list[RowError]
    vectors: np.ndarray  # float16, one per result: for near-duplicate flags across the whole call
    # rows whose id was generated (blank in the file): the call decides their final names
    generated: list[int] = field(default_factory=list)
    # a digest of each result's fields other than the id: tells an exact duplicate row from a reused id
    contents: list[str] = field(default_factory=list)


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return value if isinstance(value, str) else str(value)


MAX_ID_CHARS = 32_767  # what one spreadsheet cell holds: a longer id could not be written back exactly


def _unreadable_cells(unreadable: str, columns: dict[str, str]) -> tuple[str, dict[str, str], list, bool]:
    """What the .xlsx cells without a readable value (sheets.UNCACHED) do to a row: (reason to reject it, or
    ''; values to read instead; warnings as (message id, values); whether the id must be generated).

    Only the description rejects a row: an id is generated (row<N>), a title holding a formula saved without
    its value is read as the formula's text (neutralised on output), any other field is left empty; each of
    these is said in the row's warnings."""
    if not unreadable:
        return "", {}, [], False
    cells = {column: (cell, kind, detail) for column, cell, kind, detail in json.loads(unreadable)}
    reasons, values, notes, generate = [], {}, [], False
    for field_name, column in columns.items():
        if column not in cells:
            continue
        cell, kind, detail = cells[column]
        shown = detail if kind == "error" else "="
        if field_name == "text":
            reasons.append(
                f"cell {cell} ({column}) holds a formula saved without its value (the file was written by a "
                "program, not saved from Excel); open it in Excel and save it, or type the values"
                if kind == "formula"
                else f"cell {cell} ({column}) shows the error value {detail}, not a description; correct it in Excel"
            )
        elif field_name == "id":
            generate = True
            notes.append(("warning.cell_id", {"cell": cell, "value": shown}))
        elif field_name == "title" and kind == "formula":
            values[field_name] = detail
            notes.append(("warning.cell_formula", {"cell": cell, "column": column}))
        else:
            values[field_name] = ""
            notes.append(("warning.cell_blank", {"cell": cell, "column": column, "value": shown}))
    return "; ".join(reasons), values, notes, generate


def _surrogate_field(values: dict[str, str]) -> str:
    """The field holding a lone surrogate (half a character: no file can hold it as text), or ''."""
    return next((name for name, value in values.items() if has_surrogate(value)), "")


def score_chunk(
    recommender,
    frame: pd.DataFrame,
    columns: dict[str, str],
    first_row: int,
    *,
    top_k: int | None = None,
    flag_config: FlagConfig | None = None,
    lang: str | None = None,
) -> ChunkResult:
    """Score one partition of a call: a pure function of its rows (every engine runs this). `lang`:
    the language of the reasons and titles (None: each row's own).

    Each row's number is the reader's (the reserved ROW column: true line or sheet row), else
    first_row + its position (the header is row 1). Rows the reader could not read (ERROR) and rows
    that cannot be scored become errors; blank rows are skipped; a blank id is named `row<N>` for now
    (the call makes it unique).
    """
    flag_config = flag_config or FlagConfig()
    budgets = recommender.precedent_budgets()
    errors, rows, proposals, generated, contents = [], [], [], [], []
    for i, record in enumerate(frame.to_dict("records")):
        given_row = record.get(ROW)
        row = int(given_row) if given_row is not None and _text(given_row) else first_row + i
        problem = _text(record.get(ERROR))
        unreadable = _text(record.get(UNCACHED))
        user = {k: _text(v) for k, v in record.items() if k not in RESERVED}
        if not problem and not unreadable and all(not v.strip() for v in user.values()):
            continue  # a blank line is not a proposal
        values = {f: user.get(c, "") for f, c in columns.items()}
        reason, instead, notes, generate = _unreadable_cells(unreadable, columns)
        values.update(instead)
        pid = values.get("id", "")
        if not pid.strip() or generate:
            pid = f"row{row}"
            generated.append(row)
        broken = _surrogate_field(values)
        if broken and not problem:
            problem = (
                f"the {broken.replace('_', ' ')} holds a lone surrogate ({visible(values[broken])[:60]!r}), half of "
                "a character, which no file can hold as text; correct it in the program that wrote the file"
            )
        if len(pid) > MAX_ID_CHARS and not problem:
            problem = (
                f"the id has {len(pid):,} characters; a spreadsheet cell holds at most {MAX_ID_CHARS:,}, so it could "
                "not be written back exactly: is the id column the right one? (give --id-col NAME)"
            )
        problem = problem or reason
        if problem:
            errors.append(RowError(row, visible(pid), problem, code="unreadable"))
            continue
        try:
            proposal = recommender.check(values)
        except InputError as exc:
            errors.append(RowError(row, pid, str(exc)))
            continue
        written = {f: v.strip() for f, v in values.items() if f not in ("id", "text") and v.strip()}
        rows.append((row, pid, notes, written))
        proposals.append(proposal)
        content = {k: v for k, v in values.items() if k != "id"}
        contents.append(hashlib.sha256(json.dumps(content, sort_keys=True).encode("utf-8")).hexdigest()[:20])
    if not proposals:
        return ChunkResult([], errors, np.zeros((0, 0), dtype=np.float16), generated, [])
    batch = recommender.recommend_batch(proposals, top_k=top_k, lang=lang)
    out = []
    for (row, pid, notes, written), proposal, result in zip(rows, proposals, batch.recommendations):
        flags = proposal_flags(result, proposal.budget, budgets, flag_config)
        if notes:
            said = tuple(message(key, result.language, **values) for key, values in notes)
            result = replace(result, warnings=result.warnings + said)
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
                partner_city=proposal.partner_city,
                sector=proposal.sector,
                written=written,
            )
        )
    # half precision is enough for a 0.9 cosine
    return ChunkResult(out, errors, batch.vectors.astype(np.float16), generated, contents)


class Engine(Protocol):
    def run(
        self,
        recommender,
        chunks: Iterable[tuple[pd.DataFrame, int]],
        columns: dict[str, str],
        *,
        top_k: int | None,
        flag_config: FlagConfig,
        lang: str | None = None,
    ) -> Iterator[ChunkResult]: ...


class LocalEngine:
    """Chunks scored one after another in this process."""

    def run(self, recommender, chunks, columns, *, top_k, flag_config, lang=None) -> Iterator[ChunkResult]:
        for frame, first_row in chunks:
            yield score_chunk(recommender, frame, columns, first_row, top_k=top_k, flag_config=flag_config, lang=lang)


def unique_name(base: str, taken: set[str]) -> str:
    """`base`, or `base~2`, `base~3`, ... : the first that no id of the call holds."""
    if base not in taken:
        return base
    n = 2
    while f"{base}~{n}" in taken:
        n += 1
    return f"{base}~{n}"


class CallScorer:
    """Collects scored chunks in row order and settles what needs the whole call.

    Results go to `sink` as they come (a list, or a spool file for large calls). `finish` then
    names the rows whose id was blank (`row<N>`, with a suffix when the file uses that name itself),
    flags exact duplicate rows (`duplicate_of:<id>`, kept and scored), renames a reused id holding
    other content (`<id>~2`, flagged `duplicate_id:<id>`), flags near duplicates from the kept
    vectors and budgets far from the call's own."""

    def __init__(self, sink: Callable[[ScoredProposal], None], flag_config: FlagConfig):
        self.sink, self.flag_config = sink, flag_config
        self.errors: list[RowError] = []
        self.ids: list[str] = []
        self.rows: list[int] = []
        self.contents: list[str] = []
        self.budgets: dict[int, float] = {}
        self.generated: set[int] = set()
        self.vectors: list[np.ndarray] = []
        self.names: dict[int, str] = {}  # row -> final id, where it differs from the file's
        self.extra_flags: dict[int, list[str]] = {}

    def add(self, chunk: ChunkResult) -> None:
        for n, result in enumerate(chunk.results):
            self.ids.append(result.id)
            self.rows.append(result.row)
            self.contents.append(chunk.contents[n] if n < len(chunk.contents) else "")
            if result.budget is not None:
                self.budgets[result.row] = result.budget
            self.sink(result)
        if chunk.results:
            self.vectors.append(chunk.vectors)
        self.generated.update(chunk.generated)
        self.errors.extend(chunk.errors)

    def finish(self) -> None:
        """Settle ids and the flags that need the whole call (call once, after the last chunk)."""
        real = {i for r, i in zip(self.rows, self.ids) if r not in self.generated}
        real |= {e.id for e in self.errors if e.row not in self.generated}
        taken = set(real)
        first: dict[str, str] = {}
        entries = sorted(
            [(r, i, c, True) for r, i, c in zip(self.rows, self.ids, self.contents)]
            + [(e.row, e.id, "", False) for e in self.errors]
        )
        for row, pid, content, scored in entries:
            if row in self.generated:
                self.names[row] = unique_name(pid, taken)
                taken.add(self.names[row])
            elif scored and pid in first:
                if first[pid] == content:
                    self.extra_flags.setdefault(row, []).append(f"duplicate_of:{pid}")
                else:
                    self.names[row] = unique_name(pid, taken)
                    taken.add(self.names[row])
                    self.extra_flags.setdefault(row, []).append(f"duplicate_id:{pid}")
            elif scored:
                first[pid] = content
        self.errors = sorted((replace(e, id=self.names.get(e.row, e.id)) for e in self.errors), key=lambda e: e.row)
        final = [self.names.get(r, i) for r, i in zip(self.rows, self.ids)]
        if self.vectors:
            # the float16 blocks as collected: a huge call's vectors are never stacked or cast whole
            close = near_duplicates([str(r) for r in self.rows], self.vectors, self.flag_config.near_duplicate)
            by_row = dict(zip(self.rows, final))
            for key, others in close.items():
                row = int(key)
                names = [by_row[int(o)] for o in others if by_row[int(o)] != by_row[row]]
                if names:
                    self.extra_flags.setdefault(row, []).extend(f"near_duplicate_of:{n}" for n in names)
        for row in call_budget_outliers(self.budgets, self.flag_config):
            self.extra_flags.setdefault(row, []).append("budget_outlier")

    @property
    def scored(self) -> int:
        return len(self.ids)

    def settle(self, result: ScoredProposal) -> ScoredProposal:
        """A result with its final id and the flags that needed the whole call."""
        extra = [f for f in self.extra_flags.get(result.row, []) if f not in result.flags]
        name = self.names.get(result.row, result.id)
        if not extra and name == result.id:
            return result
        near = tuple(f for f in extra if f.startswith("near_duplicate_of:"))
        rest = tuple(f for f in extra if not f.startswith("near_duplicate_of:"))
        return replace(result, id=name, flags=rest + near + result.flags)


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
    lang: str | None = None,
) -> CallScorer:
    """The one chunk loop: every chunk through the engine into a CallScorer."""
    scorer = CallScorer(sink, flag_config)
    run = (engine or LocalEngine()).run
    options = {"top_k": top_k, "flag_config": flag_config} | ({"lang": lang} if lang else {})
    for result in run(recommender, _numbered(chunks, progress), columns, **options):
        scorer.add(result)
    scorer.finish()
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
    lang: str | None = None,
) -> BatchResult:
    """Score every usable row of a frame in memory and flag it (the app's screening page); `lang`:
    the language of reasons and titles (None: each row's own)."""
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
        lang=lang,
    )
    return BatchResult([scorer.settle(r) for r in results], scorer.errors)


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
    recursive: bool = False,
    meta: str | Path | None = None,
    lock_wait: float | None = 600.0,
    lang: str | None = None,
) -> tuple[int, list[RowError], list[Path]]:
    """Score a proposals file (or a folder of proposal documents) of any size with bounded memory.

    Chunks are read one at a time and scored by the engine; results are spooled to a temporary JSONL
    next to the output, then written out with the ids and flags that needed the whole call. The
    output is locked for the whole run, so two runs writing it take turns. Returns (scored, errors,
    paths written).

    `lang` ("ko", "en", or "auto" for the call's own language: `call_language`) writes the .xlsx and
    .csv as the worklist for people in that language, and the reasons in it; None keeps the machine
    names (the .jsonl is the same JSON contract either way).
    """
    flag_config = flag_config or FlagConfig()
    source = Path(source)
    if source.is_dir():
        from .documents import document_files, iter_documents

        inputs = [*document_files(source, recursive), *([meta] if meta else [])]
        output = check_output(output, inputs=inputs)
        exclude = [output, errors_path(output)]  # a rerun into the folder does not read its own output
        chunks = iter_documents(source, recursive=recursive, meta=meta, chunk_rows=chunk_rows, exclude=exclude)
    else:
        if meta:
            raise InputError("--meta goes with a folder of documents; a table holds its own columns")
        output = check_output(output, inputs=[source])
        chunks = iter_table(source, sheet, chunk_rows)
    with output_lock(output, wait=lock_wait):
        first = next(chunks, None)
        if first is None:
            return 0, [], []
        if all(c in RESERVED for c in first.columns):
            # only blank or unreadable lines (a JSONL of arrays, say): nothing to score, and every
            # unreadable line is still reported with its number
            errors = [
                RowError(int(row), f"row{int(row)}", str(error))
                for chunk in (first, *chunks)
                for row, error in zip(chunk[ROW], chunk[ERROR])
                if str(error)
            ]
            return 0, errors, write_results([], errors, output) if errors else []
        columns = find_columns(first.columns, overrides)
        if lang == "auto":
            lang = call_language(first, columns)

        def every_chunk():
            yield first
            yield from chunks

        with tempfile.TemporaryFile("w+", encoding="utf-8", dir=output.parent) as spool:
            scorer = _score(
                recommender,
                every_chunk(),
                columns,
                lambda r: spool.write(json.dumps(r.to_dict(everything=True), ensure_ascii=False) + "\n"),
                engine=engine,
                top_k=top_k,
                flag_config=flag_config,
                progress=progress,
                lang=lang,
            )
            people = lang is not None and output.suffix.lower() != ".jsonl"
            results = _worklist_order(spool, scorer) if people else _spooled(spool, scorer)
            names = CatalogueNames.from_catalogues(recommender.catalogues, lang) if people else None
            # written when any row was rejected too: a call whose every row is rejected gets its errors file
            # (and an output without rows, so no earlier run's output or errors file is left beside it)
            paths = (
                write_results(results, scorer.errors, output, lang=lang, names=names, ordered=people)
                if scorer.scored or scorer.errors
                else []
            )
            return scorer.scored, scorer.errors, paths


def _spooled(spool, scorer: CallScorer) -> Iterator[ScoredProposal]:
    spool.seek(0)
    for line in spool:
        yield scorer.settle(ScoredProposal.from_dict(json.loads(line)))


def _worklist_order(spool, scorer: CallScorer) -> Iterator[ScoredProposal]:
    """The spooled results in worklist order, read twice from the spool: once for each row's place
    (kept with where its line starts), once in that order. Memory stays one small tuple per row."""
    spool.seek(0)
    places = []
    while True:
        start = spool.tell()
        line = spool.readline()
        if not line:
            break
        places.append((worklist_key(scorer.settle(ScoredProposal.from_dict(json.loads(line)))), start))
    places.sort()
    for _, start in places:
        spool.seek(start)
        yield scorer.settle(ScoredProposal.from_dict(json.loads(spool.readline())))


def call_language(frame: pd.DataFrame, columns: dict[str, str]) -> str:
    """The language a call is written in: Korean when its headers are Korean or most of its texts
    (of the first chunk) are, else English."""
    hangul = re.compile(r"[\uac00-\ud7a3]")
    if any(hangul.search(str(c)) for c in frame.columns if c not in RESERVED):
        return "ko"
    texts = [_text(t) for t in frame[columns["text"]]] if columns.get("text") in frame.columns else []
    texts = [t for t in texts if t.strip()]
    korean = sum(detect_language(t) == "ko" for t in texts)
    return "ko" if texts and korean * 2 > len(texts) else "en"
