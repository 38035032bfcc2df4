"""Parsing ``[[verdict.metrics]]``: the quality metrics of the verdict.

One plain function, :func:`quality_metrics`, used by the pydantic model and by the quick path
alike (so both accept and refuse the same entries). Every problem is one line naming the
entry and the key: ``metrics entry 2 (accuracy): kind: must be "proportion" or
"continuous" (got "ratio")``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from canary_tui.domain import numbers
from canary_tui.domain.quality import (
    BUILTIN_CHECK_NAMES,
    DEFAULT_DIMENSIONS,
    TEMPLATE_FIELDS,
    Better,
    QualityKind,
    QualityMetric,
    QualityMode,
)

_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# Sum, Average, Minimum, Maximum, SampleCount, percentiles (p90, p99.9) and the trimmed and
# winsorized means and counts with a percentile (tm90, wm99, tc90, ts90, pr(…) is left out).
_STATISTIC = re.compile(
    r"(Sum|Average|Minimum|Maximum|SampleCount|IQM|p(100|[0-9]{1,2})(\.[0-9]+)?"
    r"|(tm|wm|tc|ts)(100|[0-9]{1,2})(\.[0-9]+)?)"
)
#: CloudWatch's StandardUnit values (the PutMetricData / MetricStat ``Unit``).
UNITS = frozenset(
    (
        "Seconds",
        "Microseconds",
        "Milliseconds",
        "Bytes",
        "Kilobytes",
        "Megabytes",
        "Gigabytes",
        "Terabytes",
        "Bits",
        "Kilobits",
        "Megabits",
        "Gigabits",
        "Terabits",
        "Percent",
        "Count",
        "Bytes/Second",
        "Kilobytes/Second",
        "Megabytes/Second",
        "Gigabytes/Second",
        "Terabytes/Second",
        "Bits/Second",
        "Kilobits/Second",
        "Megabits/Second",
        "Gigabits/Second",
        "Terabits/Second",
        "Count/Second",
        "None",
    )
)
#: CloudWatch allows 30 dimensions per metric.
MAX_DIMENSIONS = 30
_PROPORTION_CHANGE = numbers.Bounds(0, 100, unit="percentage points")
_CONTINUOUS_CHANGE = numbers.Bounds(0, 10_000, unit="percent")
_DELAY = numbers.Bounds(0, 7 * 86400, unit="duration")
_MIN_COUNT = numbers.Bounds(2, 10**9, integer=True)
_KEYS = (
    "name",
    "namespace",
    "kind",
    "metric",
    "successes",
    "trials",
    "dimensions",
    "statistic",
    "unit",
    "direction",
    "allowed_change",
    "critical",
    "mode",
    "delay",
    "min_count",
)


class _EntryError(ValueError):
    pass


def _text(entry: Mapping[str, object], key: str, *, required: bool = True) -> str:
    value = entry.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        got = "nothing" if value is None else numbers.shown(value)
        raise _EntryError(f"{key}: must be a non-empty text (got {got})")
    if len(value) > 255:
        raise _EntryError(f"{key}: at most 255 characters")
    return value


def _choice(entry: Mapping[str, object], key: str, choices: tuple[str, ...], default: str) -> str:
    value = entry.get(key, default)
    if value not in choices:
        wanted = " or ".join(f'"{choice}"' for choice in choices)
        got = "nothing" if value is None else numbers.shown(value)
        raise _EntryError(f"{key}: must be {wanted} (got {got})")
    return str(value)


def _dimensions(value: object) -> tuple[tuple[str, str], ...]:
    if value is None:
        return DEFAULT_DIMENSIONS
    if not isinstance(value, Mapping) or not value:
        raise _EntryError(
            'dimensions: must be a table like { EndpointName = "{endpoint}", '
            'VariantName = "{variant}" }'
        )
    if len(value) > MAX_DIMENSIONS:
        raise _EntryError(f"dimensions: CloudWatch allows at most {MAX_DIMENSIONS}")
    pairs: list[tuple[str, str]] = []
    for name, template in value.items():
        if not isinstance(name, str) or not name.strip() or len(name) > 255:
            raise _EntryError(f"dimensions: {numbers.shown(name)} is not a dimension name")
        if not isinstance(template, str) or not template or len(template) > 1024:
            raise _EntryError(f"dimensions: {name}: must be a non-empty text")
        for field_name in _PLACEHOLDER.findall(template):
            if field_name not in TEMPLATE_FIELDS:
                raise _EntryError(
                    f"dimensions: {name}: unknown placeholder {{{field_name}}} "
                    "(use {endpoint} or {variant})"
                )
        if "{" in _PLACEHOLDER.sub("", template) or "}" in _PLACEHOLDER.sub("", template):
            raise _EntryError(f"dimensions: {name}: a brace without its pair in {template!r}")
        pairs.append((name, template))
    if not any("{variant}" in template for _, template in pairs):
        raise _EntryError(
            "dimensions: no value names {variant}, so every variant would read the same series"
        )
    return tuple(pairs)


def _delay(value: object) -> int:
    if value is None:
        return 0
    try:
        return round(numbers.parse_duration(value, _DELAY))
    except numbers.NumberInputError as error:
        raise _EntryError(f"delay: {error.message}") from None


def _min_count(value: object) -> int | None:
    if value is None:
        return None
    try:
        return numbers.parse_integer(value, _MIN_COUNT, field=None)
    except numbers.NumberInputError as error:
        raise _EntryError(f"min_count: {error.message}") from None


def _entry(entry: object, taken: set[str]) -> QualityMetric:
    if not isinstance(entry, Mapping):
        raise _EntryError("must be a table with name, namespace, kind, ...")
    unknown = [key for key in entry if key not in _KEYS]
    if unknown:
        raise _EntryError(f"unknown key {unknown[0]!r} (known: {', '.join(_KEYS)})")
    name = _text(entry, "name")
    if not _NAME.fullmatch(name):
        raise _EntryError(
            f"name: {numbers.shown(name)} must be lowercase letters, digits and _ (up to 40), "
            "starting with a letter"
        )
    if name in BUILTIN_CHECK_NAMES:
        raise _EntryError(f"name: {name!r} is one of the verdict's own checks")
    if name in taken:
        raise _EntryError(f"name: {name!r} is given twice")
    namespace = _text(entry, "namespace")
    kind = QualityKind(_choice(entry, "kind", tuple(QualityKind), ""))
    names = ("successes", "trials") if kind is QualityKind.PROPORTION else ("metric",)
    others = ("metric",) if kind is QualityKind.PROPORTION else ("successes", "trials")
    for other in others:
        if other in entry:
            raise _EntryError(f"{other}: not used by a {kind.value} metric (it takes {names})")
    metric_names = {key: _text(entry, key) for key in names}
    default_statistic = "Sum" if kind is QualityKind.PROPORTION else "Average"
    statistic = entry.get("statistic", default_statistic)
    if not isinstance(statistic, str) or not _STATISTIC.fullmatch(statistic):
        raise _EntryError(
            f"statistic: {numbers.shown(statistic)} is not a CloudWatch statistic "
            "(Sum, Average, Minimum, Maximum, SampleCount, p99, tm90...)"
        )
    if kind is QualityKind.PROPORTION and statistic != "Sum":
        raise _EntryError("statistic: a proportion counts successes and trials: it must be Sum")
    unit = entry.get("unit")
    if unit is not None and unit not in UNITS:
        raise _EntryError(
            f"unit: {numbers.shown(unit)} is not a CloudWatch unit (Count, Percent, "
            "Milliseconds, None, ...)"
        )
    direction = Better(_choice(entry, "direction", tuple(Better), ""))
    if "allowed_change" not in entry:
        raise _EntryError("allowed_change: missing (how much worse still passes)")
    bounds = _PROPORTION_CHANGE if kind is QualityKind.PROPORTION else _CONTINUOUS_CHANGE
    try:
        allowed = numbers.parse_decimal(entry["allowed_change"], bounds)
    except numbers.NumberInputError as error:
        raise _EntryError(f"allowed_change: {error.message}") from None
    critical = entry.get("critical", True)
    if not isinstance(critical, bool):
        raise _EntryError(f"critical: must be true or false (got {numbers.shown(critical)})")
    mode = QualityMode(_choice(entry, "mode", tuple(QualityMode), QualityMode.GATE.value))
    return QualityMetric(
        name=name,
        namespace=namespace,
        kind=kind,
        direction=direction,
        allowed_change=allowed,
        metric=metric_names.get("metric", ""),
        successes=metric_names.get("successes", ""),
        trials=metric_names.get("trials", ""),
        dimensions=_dimensions(entry.get("dimensions")),
        statistic=statistic,
        unit=unit if isinstance(unit, str) else None,
        critical=critical,
        mode=mode,
        delay_seconds=_delay(entry.get("delay")),
        min_count=_min_count(entry.get("min_count")),
    )


def quality_metrics(value: object) -> tuple[QualityMetric, ...]:
    """Every entry of ``[[verdict.metrics]]`` (a list of tables, or of QualityMetric),
    checked; ValueError with one line for the first problem."""
    if value is None:
        return ()
    if isinstance(value, Mapping) or not isinstance(value, list | tuple):
        raise ValueError(
            "must be a list of tables: one [[verdict.metrics]] per metric "
            f"(got {numbers.shown(value)})"
        )
    parsed: list[QualityMetric] = []
    for index, entry in enumerate(value, start=1):
        if isinstance(entry, QualityMetric):
            parsed.append(entry)
            continue
        label = entry.get("name") if isinstance(entry, Mapping) else None
        where = f"metrics entry {index}" + (f" ({label})" if isinstance(label, str) else "")
        try:
            parsed.append(_entry(entry, {metric.name for metric in parsed}))
        except _EntryError as error:
            raise ValueError(f"{where}: {error}") from None
    return tuple(parsed)
