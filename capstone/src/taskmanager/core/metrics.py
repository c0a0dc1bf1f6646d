"""Prometheus metrics: requests by route and status, latency histograms, database pool use.

Each application has its own registry (tests build many apps in one process). Served with
several workers (`taskmanager serve --workers N`), every worker writes its figures to files in
`PROMETHEUS_MULTIPROC_DIR` (prometheus_client's multiprocess mode) and `/metrics` adds them up,
so one scrape reports the whole server, whichever worker answers it.
"""

from __future__ import annotations

import atexit
import os
import re
from collections.abc import Iterator
from pathlib import Path

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.pool import QueuePool
from starlette.types import Scope

router = APIRouter(tags=["operations"])
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED_ROUTE = "unmatched"  # unknown paths share one label: no unbounded cardinality
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"
# Files of the gauges that count only live processes: `gauge_livesum_<pid>.db`.
LIVE_GAUGE_FILE = re.compile(r"gauge_live\w+?_(\d+)\.db")
POOL_FIGURES = {
    "size": "Connections the pools keep open.",
    "checked_out": "Connections in use by requests.",
    "checked_in": "Idle connections in the pools.",
    "overflow": "Connections beyond the pool sizes (negative: not yet opened).",
}


def method_of(scope: Scope) -> str:
    """The request method, or `OTHER`: a client must not be able to invent label values."""
    method = str(scope["method"])
    return method if method in KNOWN_METHODS else "OTHER"


def route_of(scope: Scope) -> str:
    """The route template (`/api/v1/users/{id}`), never the raw path."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED_ROUTE


def multiprocess_directory() -> Path | None:
    """The folder the workers share their figures in, when `taskmanager serve` set one."""
    folder = os.environ.get(MULTIPROCESS_DIRECTORY)
    return Path(folder) if folder else None


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def forget_dead_workers(folder: Path) -> None:
    """Drop the live gauges of workers that died without saying so (killed, crashed).

    A worker that exits normally marks itself dead (see `Metrics`); one that was killed leaves
    its in-progress and pool gauges behind, which the next worker to start removes here.
    """
    for file in folder.glob("gauge_live*.db"):
        match = LIVE_GAUGE_FILE.fullmatch(file.name)
        if match and not _is_alive(int(match.group(1))):
            multiprocess.mark_process_dead(int(match.group(1)), str(folder))  # type: ignore[no-untyped-call]


class InstanceCollector(Collector):
    """`taskmanager_instance_info{instance_name=...} 1`: which replica answered the scrape.

    Prometheus labels every series with the address it scraped (`instance`); this names the
    container behind that address (`INSTANCE_NAME`, by default the host name, which Docker
    sets to the container id), to join on in queries and dashboards.
    """

    def __init__(self, instance_name: str) -> None:
        self._name = instance_name

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "taskmanager_instance_info",
            "The replica serving this scrape (INSTANCE_NAME).",
            labels=["instance_name"],
        )
        family.add_metric([self._name], 1)
        yield family


class Metrics:
    def __init__(self, app_state: object, instance_name: str = "") -> None:
        self._state = app_state
        self.folder = multiprocess_directory()
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests",
            "HTTP requests answered, by method, route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by method, route and status.",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        # With several workers, a gauge is the sum over the workers alive (`livesum`).
        self.in_progress = Gauge(
            "http_requests_in_progress",
            "HTTP requests being answered right now.",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.pool = {
            name: Gauge(
                f"db_pool_{name}", description, registry=self.registry, multiprocess_mode="livesum"
            )
            for name, description in POOL_FIGURES.items()
        }
        self.instance = InstanceCollector(instance_name)
        self.registry.register(self.instance)
        if self.folder is not None:
            forget_dead_workers(self.folder)
            atexit.register(multiprocess.mark_process_dead, os.getpid(), str(self.folder))
        # Each label combination's counter and histogram, looked up once: `labels()` takes a
        # lock and validates the names on every call. Bounded: methods x routes x statuses.
        self._series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        key = (method_of(scope), route_of(scope), status)
        series = self._series.get(key)
        if series is None:
            labels = {"method": key[0], "route": key[1], "status": str(status)}
            series = self.requests.labels(**labels), self.latency.labels(**labels)
            self._series[key] = series
        requests, latency = series
        requests.inc()
        latency.observe(seconds)
        self.read_pool()

    def read_pool(self) -> None:
        """Copy the pool's state into its gauges: after every request, and before a scrape.

        After every request, not only at scrape time: with several workers the scrape is
        answered by one of them, and the others' figures must be fresh in their files.
        """
        database = getattr(self._state, "database", None)
        pool = getattr(getattr(database, "engine", None), "pool", None)
        if not isinstance(pool, QueuePool):
            return
        self.pool["size"].set(pool.size())
        self.pool["checked_out"].set(pool.checkedout())
        self.pool["checked_in"].set(pool.checkedin())
        self.pool["overflow"].set(pool.overflow())

    def exposition(self) -> bytes:
        """The text a scrape gets: this process's registry, or every worker's files added up."""
        self.read_pool()
        if self.folder is None:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, str(self.folder))  # type: ignore[no-untyped-call]
        registry.register(self.instance)
        return generate_latest(registry)


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    exposition = request.app.state.metrics.exposition()
    return Response(exposition, media_type=CONTENT_TYPE_LATEST)
