"""Scoring a call on a Dask cluster: the same pure chunk scorer, run where the workers are.

Each worker process opens its own Recommender once (same data and models folders, same embedder)
and keeps it; the driver sends partitions and collects results in row order, with a bounded number
in flight so memory stays flat however long the call is.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import asdict

import pandas as pd

from .batch import ChunkResult, score_chunk
from .errors import InputError
from .flags import FlagConfig

log = logging.getLogger(__name__)

_WORKER_RECOMMENDERS: dict[tuple, object] = {}


def _worker_recommender(data_dir: str, models_dir: str, embedder: str):
    key = (data_dir, models_dir, embedder)
    if key not in _WORKER_RECOMMENDERS:
        from .core import Recommender

        # load, never build: the driver has built models/ already, and workers must not race to rebuild
        _WORKER_RECOMMENDERS[key] = Recommender(data_dir, models_dir, embedder=embedder).load()
    return _WORKER_RECOMMENDERS[key]


def score_partition(
    frame: pd.DataFrame,
    columns: dict[str, str],
    first_row: int,
    top_k: int | None,
    flags: dict,
    data_dir: str,
    models_dir: str,
    embedder: str,
    lang: str | None = None,
) -> ChunkResult:
    """What a worker runs: open (once) the recommender, then the shared chunk scorer."""
    rec = _worker_recommender(data_dir, models_dir, embedder)
    return score_chunk(rec, frame, columns, first_row, top_k=top_k, flag_config=FlagConfig(**flags), lang=lang)


class DaskEngine:
    """Runs `batch.score_chunk` on a Dask cluster: `scheduler` is an address, or None for a local
    cluster of worker processes on this machine. Results come back in order, with a bounded number
    of chunks in flight."""

    def __init__(self, scheduler: str | None = None, in_flight: int | None = None):
        self.scheduler, self.in_flight = scheduler, in_flight

    def run(
        self,
        recommender,
        chunks: Iterable[tuple[pd.DataFrame, int]],
        columns: dict[str, str],
        *,
        top_k: int | None,
        flag_config: FlagConfig,
        lang: str | None = None,
    ) -> Iterator[ChunkResult]:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise InputError("the dask engine needs the 'dask' extra: pip install -e '.[dask]'") from exc
        spec = recommender.embedder_spec
        if not spec:
            raise InputError(
                "the dask engine needs a named embedder (fused, use, minilm or st:<path>) so that "
                "workers can load the same one"
            )
        cluster = None
        if self.scheduler:
            client = Client(self.scheduler)
        else:
            cluster = LocalCluster(n_workers=None, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
        try:
            workers = max(1, len(client.scheduler_info()["workers"]))
            limit = self.in_flight or 2 * workers
            args = (top_k, asdict(flag_config), str(recommender.data_dir), str(recommender.models_dir), spec, lang)
            pending = []
            for frame, first_row in chunks:
                pending.append(client.submit(score_partition, frame, columns, first_row, *args, pure=False))
                if len(pending) >= limit:
                    yield pending.pop(0).result()
            for future in pending:
                yield future.result()
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
