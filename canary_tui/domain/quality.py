"""Quality metrics a team publishes to CloudWatch per variant (accuracy, conversion, fraud
caught...), which the verdict judges next to SageMaker's own metrics.

A :class:`QualityMetric` is one ``[[verdict.metrics]]`` entry of the settings, already
checked (:mod:`canary_tui.config.quality` parses it). Two kinds:

* ``proportion``: a successes metric over a trials metric (``Correct`` / ``Labeled``), both
  Sums, judged by the exact test on the pooled counts of the window;
* ``continuous``: one metric's per-period values (its statistic per period), judged by
  Mann-Whitney U on those values.

Ground truth arrives late: ``delay_seconds`` shifts the metric's window back, so it is judged
on periods whose labels should all be in. Pure code: the gateway fetches what
:meth:`QualityMetric.queries` names, the verdict (:mod:`canary_tui.domain.verdict_quality`)
judges it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from canary_tui.domain.metrics import DataStatus, Series, Span


class QualityKind(StrEnum):
    PROPORTION = "proportion"
    CONTINUOUS = "continuous"


class Better(StrEnum):
    """Which way is better for the metric: ``higher`` (accuracy) or ``lower`` (cost)."""

    HIGHER = "higher"
    LOWER = "lower"


class QualityMode(StrEnum):
    #: Judged like any check: a FAIL fails the verdict (or holds it, when not critical).
    GATE = "gate"
    #: Shown and judged, but never decides the verdict.
    OBSERVE = "observe"


#: The verdict's own checks: a quality metric may not take one of these names.
BUILTIN_CHECK_NAMES = frozenset(
    {"errors_4xx", "errors_5xx", "errors_model", "latency", "traffic_split", "data"}
)
#: What a dimension value may name; ``{endpoint}`` and ``{variant}`` are filled in per variant.
TEMPLATE_FIELDS = ("endpoint", "variant")
DEFAULT_DIMENSIONS: tuple[tuple[str, str], ...] = (
    ("EndpointName", "{endpoint}"),
    ("VariantName", "{variant}"),
)


#: The fewest trials (proportion) or periods (continuous) per variant before judging.
DEFAULT_MIN_COUNT = {QualityKind.PROPORTION: 100, QualityKind.CONTINUOUS: 2}


@dataclass(frozen=True, slots=True)
class QualityMetric:
    """One configured quality metric (see the module's docstring)."""

    #: The check's name in the verdict, text and JSON (``accuracy``).
    name: str
    namespace: str
    kind: QualityKind
    #: Higher or lower is better.
    direction: Better
    #: The largest change for the worse that still passes: percentage points for a
    #: proportion, percent of the baseline's median for a continuous metric.
    allowed_change: float
    #: The continuous metric's name.
    metric: str = ""
    #: A proportion's metric names.
    successes: str = ""
    trials: str = ""
    #: (dimension name, value template) pairs.
    dimensions: tuple[tuple[str, str], ...] = DEFAULT_DIMENSIONS
    #: CloudWatch statistic per period; a proportion's counts are always Sums.
    statistic: str = "Sum"
    #: The CloudWatch unit to ask for (None: whatever it was published with).
    unit: str | None = None
    #: False: a FAIL holds a PASS back (INCONCLUSIVE) instead of failing the verdict.
    critical: bool = True
    mode: QualityMode = QualityMode.GATE
    #: How late the data arrives: the metric's window ends this long before the verdict's.
    delay_seconds: int = 0
    #: The fewest trials (proportion) or periods (continuous) per variant before the metric
    #: is judged: "not significantly worse" on 12 labels is not a PASS. None: the kind's
    #: default (:data:`DEFAULT_MIN_COUNT`).
    min_count: int | None = None

    @property
    def minimum(self) -> int:
        return self.min_count if self.min_count is not None else DEFAULT_MIN_COUNT[self.kind]

    @property
    def decides(self) -> bool:
        return self.mode is QualityMode.GATE

    @property
    def delay(self) -> timedelta:
        return timedelta(seconds=self.delay_seconds)

    def queries(self) -> tuple[tuple[str, str], ...]:
        """(role, CloudWatch metric name) of each series this metric needs."""
        if self.kind is QualityKind.PROPORTION:
            return (("successes", self.successes), ("trials", self.trials))
        return (("value", self.metric),)

    def series_key(self, role: str) -> str:
        """Where a variant's series of ``role`` is kept (``VariantMetrics.quality``)."""
        return f"{self.name}.{role}"

    def dimensions_for(self, endpoint: str, variant: str) -> list[dict[str, str]]:
        """The query's dimensions with ``{endpoint}`` and ``{variant}`` filled in."""
        return [
            {
                "Name": name,
                "Value": template.replace("{endpoint}", endpoint).replace("{variant}", variant),
            }
            for name, template in self.dimensions
        ]

    def window(
        self,
        start: datetime,
        end: datetime,
        period_seconds: int,
        not_before: datetime | None = None,
    ) -> Span:
        """The metric's [start, end) for a verdict over [start, end): shifted back by the
        delay rounded up to whole periods (a period is judged once all of it is that old);
        ``not_before`` (a ramp step's start) keeps it from reaching back before a change, so
        the labels of requests served before the step are not judged."""
        shift = timedelta(seconds=-(-self.delay_seconds // period_seconds) * period_seconds)
        shifted_start, shifted_end = start - shift, end - shift
        if not_before is not None:
            shifted_start = max(shifted_start, not_before)
        return shifted_start, max(shifted_start, shifted_end)

    def to_dict(self) -> dict[str, Any]:
        """The entry as the settings file spells it."""
        entry: dict[str, Any] = {
            "name": self.name,
            "namespace": self.namespace,
            "kind": self.kind.value,
        }
        for role, metric_name in self.queries():
            entry["metric" if role == "value" else role] = metric_name
        entry.update(
            dimensions=dict(self.dimensions),
            statistic=self.statistic,
            direction=self.direction.value,
            allowed_change=self.allowed_change,
            critical=self.critical,
            mode=self.mode.value,
            delay=f"{self.delay_seconds}s",
        )
        if self.unit is not None:
            entry["unit"] = self.unit
        if self.min_count is not None:
            entry["min_count"] = self.min_count
        return entry


def clipped(series: Series, span: Span) -> Series:
    """``series`` restricted to [start, end): points and unknown stretches outside dropped."""
    start, end = span
    unknown = tuple(
        (max(a, start), min(b, end)) for a, b in series.unknown if max(a, start) < min(b, end)
    )
    return Series(
        points=tuple(point for point in series.points if start <= point[0] < end),
        unknown=unknown,
        status=series.status if unknown else DataStatus.COMPLETE,
        messages=series.messages if unknown else (),
        window=span,
    )


def quality_series(quality: Mapping[str, Series], metric: QualityMetric, role: str) -> Series:
    return quality.get(metric.series_key(role), Series())
