"""Prometheus metrics: requests by route and status, latency histograms, database pool use.

Each application has its own registry (tests build many apps in one process). With several
workers each process answers `/metrics` for itself; scrape each worker, or run one per container.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.pool import QueuePool
from starlette.types import Scope

router = APIRouter(tags=["operations"])
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED_ROUTE = "unmatched"  # unknown paths share one label: no unbounded cardinality
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_of(scope: Scope) -> str:
    """The request method, or `OTHER`: a client must not be able to invent label values."""
    method = str(scope["method"])
    return method if method in KNOWN_METHODS else "OTHER"


def route_of(scope: Scope) -> str:
    """The route template (`/api/v1/users/{id}`), never the raw path."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED_ROUTE


class PoolCollector(Collector):
    """Reads the database pool's state at scrape time."""

    def __init__(self, request_app_state: object) -> None:
        self._state = request_app_state

    def collect(self) -> Iterator[GaugeMetricFamily]:
        database = getattr(self._state, "database", None)
        pool = getattr(getattr(database, "engine", None), "pool", None)
        if not isinstance(pool, QueuePool):
            return
        figures = {
            "size": ("Connections the pool keeps open.", pool.size()),
            "checked_out": ("Connections in use by requests.", pool.checkedout()),
            "checked_in": ("Idle connections in the pool.", pool.checkedin()),
            "overflow": (
                "Connections beyond the pool size (negative: not yet opened).",
                pool.overflow(),
            ),
        }
        for name, (description, value) in figures.items():
            yield GaugeMetricFamily(f"db_pool_{name}", description, value=value)


class Metrics:
    def __init__(self, app_state: object) -> None:
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
        self.in_progress = Gauge(
            "http_requests_in_progress",
            "HTTP requests being answered right now.",
            registry=self.registry,
        )
        self.registry.register(PoolCollector(app_state))
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


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
