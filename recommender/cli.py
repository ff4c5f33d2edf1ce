"""Command line: build, match, score, info. A thin shell over the library; errors are one line."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import re
import sys
import traceback
from pathlib import Path

from .core import DEFAULT_DATA_DIR, DEFAULT_MODELS_DIR, Recommender
from .embedders import DEFAULT_EMBEDDER, EMBEDDER_CHOICES
from .errors import REBUILD_HINT, ArtefactError, InputError, RecommenderError
from .explain import render_government, render_text
from .flags import FlagConfig
from .io import check_output, has_surrogate, visible


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="catalogue folder (default: data/)")
    parser.add_argument("--models-dir", type=Path, default=DEFAULT_MODELS_DIR, help="index folder (default: models/)")
    parser.add_argument(
        "--embedder",
        default=DEFAULT_EMBEDDER,
        help="fused (default; MiniLM on onnxruntime, int8), fused-torch (the fp32 PyTorch reference), use, "
        "minilm, minilm-torch, or st:<local model path>",
    )


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="recommender",
        description="Match city-to-city cooperation proposals to "
        "SDG targets, Korean precedents and Korean local governments (offline).",
    )
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="build or refresh the indexes in models/")
    _common(p)
    p.add_argument("--if-needed", action="store_true", help="only when the indexes are missing or stale")

    p = sub.add_parser("match", help="rank targets, precedents and governments for one proposal text")
    _common(p)
    p.add_argument("text", nargs="?", default=None, help="the proposal description (Korean or English)")
    p.add_argument(
        "--file",
        type=Path,
        default=None,
        help="read the proposal from a document instead (.txt, .pdf, .docx, .hwpx, .hwp): title from its first "
        "heading or line, text from the rest",
    )
    p.add_argument("--title", default="")
    p.add_argument("--country", default=None, help="partner country: ISO2, English or Korean name")
    p.add_argument("--city", default="", help="partner city")
    p.add_argument("--sector", default="")
    p.add_argument("--budget", default=None, help="budget in KRW")
    p.add_argument("--top-k", type=int, default=5)
    p.add_argument("--lang", choices=["ko", "en"], default=None, help="language of the reasons (default: the text's)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument(
        "--pdm",
        type=Path,
        default=None,
        help="also write a draft project design matrix (PDM) of the proposal to this .docx file, in the language "
        "of the reasons",
    )

    p = sub.add_parser(
        "score", help="score every proposal of a .csv/.xlsx/.jsonl/.parquet file, or every document of a folder"
    )
    _common(p)
    p.add_argument("input", type=Path, help="a proposals table, or a folder of proposal documents (one per file)")
    p.add_argument("-o", "--output", type=Path, required=True, help=".jsonl, .csv or .xlsx")
    p.add_argument("--top-k", type=int, default=5)
    p.add_argument(
        "--sheet",
        default=None,
        help="sheet name of an .xlsx input (default: the first visible sheet with a description column)",
    )
    p.add_argument("--recursive", action="store_true", help="folder input: also read the documents of subfolders")
    p.add_argument(
        "--meta",
        type=Path,
        default=None,
        help="folder input: a table with a file-name column (file, 파일명) and any of the usual columns "
        "(대상국가, 대상도시, 분야, 예산); without it country and city are left empty",
    )
    p.add_argument(
        "--engine",
        choices=["local", "dask"],
        default="local",
        help="score in this process, or on a Dask cluster (the 'dask' extra)",
    )
    p.add_argument("--scheduler", default=None, help="Dask scheduler address (default: a local cluster)")
    p.add_argument(
        "--lang",
        choices=["ko", "en"],
        default=None,
        help="language of the .xlsx/.csv worklist and of the reasons (default: the call's: Korean headers or "
        "mostly Korean texts give ko); the .jsonl keeps its machine keys",
    )
    for name in ("id", "text", "title", "country", "city", "sector", "budget"):
        p.add_argument(f"--{name}-col", default=None, help=f"column holding the {name}")
    defaults = FlagConfig()
    p.add_argument(
        "--dup-threshold",
        type=float,
        default=defaults.near_duplicate,
        help=f"cosine for near_duplicate_of flags (default {defaults.near_duplicate})",
    )
    p.add_argument(
        "--precedent-threshold",
        type=float,
        default=defaults.similar_to_precedent,
        help=f"similarity for similar_to_precedent flags (default {defaults.similar_to_precedent})",
    )
    p.add_argument(
        "--sdg11-threshold",
        type=float,
        default=defaults.low_sdg11,
        help=f"goal 11 probability below which low_sdg11_alignment is flagged (default {defaults.low_sdg11})",
    )
    p.add_argument(
        "--budget-factor",
        type=float,
        default=defaults.budget_factor,
        help=f"budget_outlier when this many times off the similar precedents' median (default "
        f"{defaults.budget_factor:g})",
    )
    p.add_argument(
        "--budget-mad",
        type=float,
        default=defaults.budget_mad,
        help="budget_outlier also when this many robust deviations (median and MAD of log budgets) from the "
        f"call's own budgets, with {defaults.budget_min_call} or more stated (default {defaults.budget_mad:g})",
    )

    p = sub.add_parser("evaluate", help="measure quality on the gold files; write docs/evaluation.md")
    _common(p)
    root = Path(__file__).resolve().parents[1]
    p.add_argument(
        "--dev",
        type=Path,
        default=root.parent / "shared/eval-dev/sdg_goal_benchmark_dev.csv",
        help="labelled SDG goal snippets (id,text,sdg,label)",
    )
    p.add_argument("--gold", type=Path, default=root / "eval/gold_proposals.csv", help="gold proposals file")
    p.add_argument(
        "--korean-dev",
        type=Path,
        default=root / "eval/sdg_goal_dev_ko_subset.csv",
        help="our Korean translations of some dev snippets (id,sdg,label,text_ko)",
    )
    p.add_argument(
        "--offcatalogue",
        type=Path,
        default=root / "eval/offcatalogue_proposals.csv",
        help="paired off-catalogue proposals (id,split,lang,partner_country,main_goal,goals,targets,text)",
    )
    p.add_argument("--docs-dir", type=Path, default=root / "docs")
    p.add_argument("--fit-goal-model", action="store_true", help="refit data/goal_model.json on the dev file")
    p.add_argument(
        "--fit-government-model",
        action="store_true",
        help="refit data/government_model.json on the catalogue cases with their programmes held out",
    )
    p.add_argument(
        "--unseen",
        type=Path,
        default=root / "eval/unseen_government_cases.csv",
        help="real cases kept out of the catalogue, for the government ranking check",
    )
    p.add_argument(
        "--later",
        type=Path,
        default=root / "eval/later_projects.csv",
        help="real projects found later by another route, for the government ranking check",
    )

    p = sub.add_parser("bench", help="measure latency, throughput, cold start, memory; write docs/benchmarks.md")
    _common(p)
    p.add_argument("--quick", action="store_true", help="fewer runs and no million-case scale test (a few minutes)")
    p.add_argument("--json", action="store_true", help="print the numbers as JSON")
    p.add_argument("--docs-dir", type=Path, default=Path(__file__).resolve().parents[1] / "docs")

    p = sub.add_parser(
        "for-government",
        help="a local government at a glance (cases, agreements, profile) and where it could propose next, on what",
    )
    _common(p)
    p.add_argument("government", help="its code (41110), Korean name (수원시, 경기도 수원시) or English name (Suwon)")
    p.add_argument("--top-k", type=int, default=10, help="how many opportunities (1 to 50; default 10)")
    p.add_argument("--lang", choices=["ko", "en"], default=None, help="language of the words (default: the name's)")
    p.add_argument("--json", action="store_true", help="print the view as JSON")

    p = sub.add_parser("info", help="what is built, from what, when")
    _common(p)
    return parser


@contextlib.contextmanager
def _progress():
    """A progress bar (rows done) on a terminal, nothing otherwise (logs and redirected output stay clean)."""
    if not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    with tqdm(unit="row", file=sys.stderr) as bar:
        yield bar.update


MAX_TOP_K = 200


def _check_top_k(value: int) -> int:
    if not 1 <= value <= MAX_TOP_K:
        raise InputError(f"--top-k must be between 1 and {MAX_TOP_K}; received {value}")
    return value


def _check_embedder(spec: str) -> None:
    if spec in EMBEDDER_CHOICES or (spec.startswith("st:") and len(spec) > 3):
        return
    raise InputError(
        f"--embedder must be one of {', '.join(EMBEDDER_CHOICES)} or st:<local model path>; received {spec!r}"
    )


def _json(value) -> str:
    """JSON text; a number that is not finite is a bug upstream and never printed as invalid JSON."""
    try:
        return json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False)
    except ValueError as exc:
        raise ArtefactError(
            f"the result holds a number that is not finite ({exc}); a model file is damaged: "
            f"run `recommender info` to see which, then {REBUILD_HINT}"
        ) from None


def _open(args) -> Recommender:
    return Recommender.open(args.data_dir, args.models_dir, embedder=args.embedder)


def run(args) -> int:
    _check_embedder(args.embedder)
    if args.command == "build":
        rec = Recommender(args.data_dir, args.models_dir, embedder=args.embedder)
        if args.if_needed:
            try:
                rec.load()
                print("indexes are up to date")
                return 0
            except ArtefactError as exc:
                print(f"rebuilding: {exc}")
        rec.build()
        for name, index in rec.indexes.items():
            manifest = index.manifest
            print(f"{name}: {manifest['count']} vectors for {manifest['items']} items ({manifest['index_kind']})")
        return 0
    if args.command == "evaluate":
        from .evaluation import evaluate

        rec = _open(args)
        if not args.dev.is_file():
            print(
                f"note: no labelled dev file at {args.dev}; the goal-level section is left out "
                f"(pass --dev PATH to include it)",
                file=sys.stderr,
            )
        report = evaluate(
            rec,
            dev_path=args.dev,
            gold_path=args.gold,
            docs_dir=args.docs_dir,
            fit_goal_model=args.fit_goal_model,
            korean_dev_path=args.korean_dev,
            unseen_path=args.unseen,
            later_path=args.later,
            fit_government_model=args.fit_government_model,
            offcatalogue_path=args.offcatalogue,
        )
        print(
            json.dumps(
                {k: v for k, v in report.items() if k != "goal_level"}
                | ({"goal_level_average": report["goal_level"]["average"]} if "goal_level" in report else {}),
                indent=2,
            )
        )
        return 0
    if args.command == "bench":
        from .bench import run as run_bench

        report = run_bench(_open(args), quick=args.quick, docs_dir=args.docs_dir)
        if args.json:
            print(json.dumps(report, indent=2))
        else:
            print(
                f"wrote {args.docs_dir / 'benchmarks.md'}: p50 {report['query_p50_ms']:.1f} ms, "
                f"p95 {report['query_p95_ms']:.1f} ms, batch/encode {report['batch_to_encode_ratio']:.2f}"
            )
        return 0
    if args.command == "info":
        rec = Recommender(args.data_dir, args.models_dir, embedder=args.embedder).load()
        print(json.dumps(rec.info(), indent=2, ensure_ascii=False))
        return 0
    if args.command == "match":
        _check_top_k(args.top_k)
        text, title = args.text, args.title
        if (text is None) == (args.file is None):
            raise InputError("give the proposal as a text argument or with --file PATH (one of them)")
        for option in ("text", "title", "country", "city", "sector", "budget"):
            given = getattr(args, option)
            if isinstance(given, str) and has_surrogate(given):
                raise InputError(
                    f"the {option} argument holds bytes that are not UTF-8 text ({visible(given)[:60]!r}); "
                    "set the terminal to UTF-8, or give the proposal with --file PATH"
                )
        if args.file is not None:
            from .documents import title_and_body

            if not args.file.is_file():
                raise InputError(f"--file {str(args.file)!r} does not exist")
            heading, text = title_and_body(args.file.read_bytes(), args.file.name)
            title = title or heading
        if args.pdm is not None:
            from .pdm import check_pdm_path

            check_pdm_path(args.pdm, [args.file] if args.file is not None else [])
        rec = _open(args)
        proposal = {
            "text": text,
            "title": title,
            "partner_country": args.country,
            "partner_city": args.city,
            "sector": args.sector,
            "budget": args.budget,
        }
        result = rec.recommend(proposal, top_k=args.top_k, lang=args.lang)
        if args.json:
            print(_json(result.to_dict()))
        else:
            print(render_text(result, args.lang or result.language))
        if args.pdm is not None:
            from .pdm import write_pdm

            print(f"wrote {write_pdm(rec.pdm(result, proposal), args.pdm)}", file=sys.stderr)
        return 0
    if args.command == "for-government":
        if not 1 <= args.top_k <= 50:
            raise InputError(f"--top-k must be between 1 and 50; received {args.top_k}")
        lang = args.lang or ("ko" if re.search("[가-힣]", args.government) else "en")
        view = _open(args).for_government(args.government, top_k=args.top_k, lang=lang)
        print(_json(view.to_dict()) if args.json else render_government(view, lang))
        return 0
    if args.command == "score":
        from .batch import score_file

        overrides = {
            "id": args.id_col,
            "text": args.text_col,
            "title": args.title_col,
            "partner_country": args.country_col,
            "partner_city": args.city_col,
            "sector": args.sector_col,
            "budget": args.budget_col,
        }
        try:
            flag_config = FlagConfig(
                near_duplicate=args.dup_threshold,
                similar_to_precedent=args.precedent_threshold,
                low_sdg11=args.sdg11_threshold,
                budget_factor=args.budget_factor,
                budget_mad=args.budget_mad,
            )
        except ValueError as exc:
            raise InputError(str(exc)) from None
        if not args.input.exists():
            raise InputError(f"input {str(args.input)!r} does not exist")
        if args.meta is not None and not args.meta.is_file():
            raise InputError(f"--meta {str(args.meta)!r} does not exist")
        _check_top_k(args.top_k)
        check_output(args.output, inputs=[] if args.input.is_dir() else [args.input])
        engine = None
        if args.engine == "dask":
            from .distributed import DaskEngine

            engine = DaskEngine(args.scheduler)
        rec = _open(args)
        with _progress() as progress:
            scored, errors, paths = score_file(
                rec,
                args.input,
                args.output,
                sheet=args.sheet,
                overrides=overrides,
                top_k=args.top_k,
                flag_config=flag_config,
                progress=progress,
                engine=engine,
                recursive=args.recursive,
                meta=args.meta,
                lang=args.lang or "auto",
            )
        if not scored:
            reasons = "; ".join(f"row {e.row}: {e.reason}" for e in errors[:3])
            listed = next((str(p) for p in paths if p.name.endswith(".errors.csv")), "")
            raise RecommenderError(
                f"no row of {args.input.name} could be scored ({len(errors)} rejected"
                + (f", every one listed in {listed}" if listed else "")
                + (
                    f"; {reasons}"
                    if reasons
                    else "; the folder has no .txt/.pdf/.docx/.hwpx/.hwp documents"
                    if args.input.is_dir()
                    else "; the file has no data rows"
                )
                + ")"
            )
        print(f"scored {scored} proposal(s), rejected {len(errors)}; wrote " + ", ".join(str(p) for p in paths))
        return 0
    raise AssertionError(args.command)


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        return run(args)
    except RecommenderError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the machine's answer (permissions, a full disk, a folder where a file goes)
        if args.debug:
            traceback.print_exc()
        where = f" ({exc.filename})" if exc.filename else ""
        print(
            f"error: {exc.strerror or exc}{where}; check that the path exists, is writable and has free space",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug still gets one line, not a traceback
        if args.debug:
            traceback.print_exc()
        print(
            f"error: internal error ({type(exc).__name__}: {exc}); run again with --debug for the traceback "
            "and report it",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
