"""Reading proposals files and writing ranked results.

A row that cannot be scored is reported (row number, id, reason) and the others are still scored.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from .errors import InputError
from .flags import FlagConfig, near_duplicates, proposal_flags

log = logging.getLogger(__name__)

REQUIRED = ("text",)
OPTIONAL = ("id", "title", "partner_country", "partner_city", "sector", "budget")
# Column names people use for each field, Korean ones included (matched after lower-casing).
ALIASES = {
    "id": ["id", "번호", "연번", "no", "proposal_id", "사업번호"],
    "text": ["text", "description", "사업내용", "사업개요", "내용", "설명", "proposal", "summary"],
    "title": ["title", "사업명", "제목", "project", "project_title"],
    "partner_country": ["partner_country", "country", "대상국가", "국가", "협력국", "partner_iso2"],
    "partner_city": ["partner_city", "city", "대상도시", "도시", "지역", "locality"],
    "sector": ["sector", "분야", "사업분야"],
    "budget": ["budget", "예산", "사업비", "budget_krw"],
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def find_columns(columns, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Map our field names to the file's columns; InputError names what was found and expected."""
    overrides = {k: v for k, v in (overrides or {}).items() if v}
    lowered = {str(c).strip().lower(): c for c in columns}
    found = {}
    for field_name, aliases in ALIASES.items():
        if field_name in overrides:
            if overrides[field_name] not in columns:
                raise InputError(f"--{field_name.replace('_', '-')}-col {overrides[field_name]!r} is not a column "
                                 f"of the file; its columns are {list(map(str, columns))}")
            found[field_name] = overrides[field_name]
            continue
        for alias in aliases:
            if alias in lowered:
                found[field_name] = lowered[alias]
                break
    if "text" not in found:
        raise InputError(f"no text column: expected one named {ALIASES['text'][:4]} (or give --text-col NAME); "
                         f"the file has columns {list(map(str, columns))}")
    return found


def decode_text(raw: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) or CP949/EUC-KR; a file that mixes them is decoded line by line."""
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    lines = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        for encoding in ("utf-8", "cp949"):
            try:
                lines.append(line.decode(encoding))
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InputError(f"{name}: line {number} is neither UTF-8 nor CP949/EUC-KR text; save the file as UTF-8")
    log.info("%s mixes UTF-8 and CP949 lines; decoded line by line", name)
    return "\n".join(lines).lstrip("\ufeff")


def read_table(path: str | Path, sheet: str | int | None = None) -> pd.DataFrame:
    """A proposals file as text columns: .csv (encoding detected), .xlsx, .jsonl or .parquet."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"input file {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            import csv
            import io as _io

            text = decode_text(path.read_bytes(), path.name)
            try:  # only real delimiters: an open sniffer picks letters on short files
                sep = csv.Sniffer().sniff(text[:20_000], delimiters=",;\t|").delimiter
            except csv.Error:
                sep = ","
            frame = pd.read_csv(_io.StringIO(text), dtype=str, keep_default_na=False, sep=sep)
        elif suffix == ".xlsx":
            frame = pd.read_excel(path, sheet_name=sheet if sheet is not None else 0, dtype=str).fillna("")
        elif suffix == ".jsonl":
            frame = pd.read_json(path, lines=True, dtype=False).astype(object).where(lambda f: f.notna(), "")
        elif suffix == ".parquet":
            frame = pd.read_parquet(path).astype(object).where(lambda f: f.notna(), "")
        else:
            raise InputError(f"input must be .csv, .xlsx, .jsonl or .parquet; received {path.name!r}")
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - pandas/openpyxl raise many kinds for a damaged file
        raise InputError(f"cannot read {path.name} as {suffix or 'a table'} ({type(exc).__name__}: {exc}); "
                         "check that the file is complete and of the type its name says") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


@dataclass
class BatchResult:
    results: list[dict] = field(default_factory=list)  # one per scored row, with "id" and "row"
    errors: list[dict] = field(default_factory=list)  # {"row", "id", "reason"}


def score_frame(recommender, frame: pd.DataFrame, *, columns: dict[str, str] | None = None, top_k: int | None = None,
                chunk_size: int = 256, progress: Callable[[int, int], None] | None = None,
                flag_config: FlagConfig | None = None) -> BatchResult:
    """Score every usable row and flag it; unusable rows go to `errors` with their spreadsheet row number."""
    columns = columns or find_columns(frame.columns)
    flag_config = flag_config or FlagConfig()
    precedents = recommender.catalogues_.precedents
    budgets = {pid: float(b) for pid, b in zip(precedents["id"], precedents["budget_krw"]) if pd.notna(b)}
    out = BatchResult()
    pending: list[tuple[int, str, object]] = []
    seen_ids: set[str] = set()
    vectors: list[np.ndarray] = []

    def flush():
        if not pending:
            return
        results, chunk_vectors = recommender.recommend_many([p for _, _, p in pending], top_k=top_k,
                                                            return_vectors=True)
        vectors.append(chunk_vectors.astype(np.float16))  # half precision: enough for a 0.9 cosine test
        for (row, pid, proposal), result in zip(pending, results):
            result["flags"] = proposal_flags(result, proposal.budget, budgets, flag_config)
            out.results.append({"id": pid, "row": row, **result})
        pending.clear()

    for i, record in enumerate(frame.to_dict("records")):
        row = i + 2  # the header is row 1
        values = {f: record.get(c, "") for f, c in columns.items()}
        pid = str(values.get("id") or "").strip() or f"row{row}"
        if all(not str(v).strip() for v in record.values()):
            continue  # a blank line is not a proposal
        if pid in seen_ids:
            out.errors.append({"row": row, "id": pid, "reason": f"duplicate id {pid!r}; ids must be unique"})
            continue
        try:
            proposal = recommender.check(values)
        except InputError as exc:
            out.errors.append({"row": row, "id": pid, "reason": str(exc)})
            continue
        seen_ids.add(pid)
        pending.append((row, pid, proposal))
        if len(pending) >= chunk_size:
            flush()
        if progress:
            progress(i + 1, len(frame))
    flush()
    if vectors:
        duplicates = near_duplicates([r["id"] for r in out.results], np.vstack(vectors).astype(np.float32),
                                     flag_config.near_duplicate)
        for r in out.results:
            r["flags"] = [f"near_duplicate_of:{other}" for other in duplicates.get(r["id"], [])] + r["flags"]
    return out


def neutralise(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def summary_rows(results: list[dict], top_n: int = 3) -> pd.DataFrame:
    rows = []
    for r in results:
        rows.append({
            "id": r["id"], "row": r["row"],
            "present_goals": ";".join(str(g["goal"]) for g in r["sdg_goals"] if g["present"]),
            "top_targets": ";".join(t["id"] for t in r["sdg_targets"][:top_n]),
            "top_precedents": ";".join(p["id"] for p in r["precedents"][:top_n]),
            "top_local_governments": ";".join(f"{g['code']} {g['name_en']}" for g in r["local_governments"][:top_n]),
            "target_1_score": r["sdg_targets"][0]["score"] if r["sdg_targets"] else None,
            "flags": ";".join(r.get("flags", [])),
        })
    return pd.DataFrame(rows)


def long_rows(results: list[dict], key: str) -> pd.DataFrame:
    rows = []
    for r in results:
        for rank, item in enumerate(r[key], start=1):
            flat = {k: (";".join(v) if isinstance(v, list) else v) for k, v in item.items()
                    if not isinstance(v, dict)}
            rows.append({"proposal_id": r["id"], "rank": rank, **flat})
    return pd.DataFrame(rows)


def write_results(batch: BatchResult, path: str | Path) -> list[Path]:
    """Write .jsonl, .csv or .xlsx, plus `<stem>.errors.csv` when rows were rejected. Returns the paths."""
    path = Path(path)
    suffix = path.suffix.lower()
    written = []
    if suffix == ".jsonl":
        with path.open("w", encoding="utf-8") as handle:
            for r in batch.results:
                handle.write(json.dumps(r, ensure_ascii=False) + "\n")
    elif suffix == ".csv":
        summary_rows(batch.results).map(neutralise).to_csv(path, index=False, encoding="utf-8-sig")
    elif suffix == ".xlsx":
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            summary_rows(batch.results).map(neutralise).to_excel(writer, sheet_name="summary", index=False)
            for key in ("sdg_targets", "precedents", "local_governments"):
                long_rows(batch.results, key).map(neutralise).to_excel(writer, sheet_name=key[:31], index=False)
    else:
        raise InputError(f"output must end in .jsonl, .csv or .xlsx; received {path.name!r}")
    written.append(path)
    if batch.errors:
        err_path = path.with_name(path.stem + ".errors.csv")
        pd.DataFrame(batch.errors, columns=["row", "id", "reason"]).map(neutralise).to_csv(
            err_path, index=False, encoding="utf-8-sig")
        written.append(err_path)
    return written
