"""``python -m benchmarks [--quick]``: measure every figure of issue 6, one line each.

Each line: figure, measured value, target, ok / MISS (or ``info`` for a figure without a
target, like the yardstick). Everything runs against a moto server child on loopback with
200 generated endpoints x 3 variants, except ``stats``: the verdict's tests, timed
in-process. Takes a few minutes; ``--quick`` fewer repeats and shorter windows. Not a test:
the exit code is 0 whatever the figures (machine speed is not a failure); pass ``--strict``
to exit 1 on a MISS.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks.baseline_app import READY_TEXT
from benchmarks.fixtures import (
    ENDPOINTS,
    FIRST_ENDPOINT,
    CallCounter,
    aws_environment,
    endpoint_names,
    json_child,
    moto_server,
    publish_minutes,
    seed,
)
from benchmarks.terminal import TerminalSession, visible_text

CTRL_R = b"\x12"
#: Shown by the console's first frame (the endpoints pane title), before any data.
CONSOLE_FIRST_FRAME_TEXT = "Endpoints"
DEMO_DATA_TEXT = "existing-endpoint-name"


@dataclass
class Figure:
    name: str
    value: str
    target: str
    ok: bool | None  # None: no target (information)

    def line(self) -> str:
        verdict = "info" if self.ok is None else ("ok" if self.ok else "MISS")
        return f"{self.name:<56} | {self.value:<44} | {self.target:<26} | {verdict}"


def report(figure: Figure, figures: list[Figure]) -> None:
    figures.append(figure)
    print(figure.line(), flush=True)


# -- 1. start-up --------------------------------------------------------------------------
def compile_bytecode() -> None:
    """Write the .pyc files an installed copy has, so start-up is not timed compiling source.

    pip compiles what it installs, but an editable install (``pip install -e``) leaves our own
    modules to be compiled on first import, and a shell with PYTHONDONTWRITEBYTECODE=1 (some
    containers set it) compiles them again on every start: that alone doubles the figure.
    """
    import compileall

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for package in ("canary_tui", "benchmarks"):
        compileall.compile_dir(os.path.join(root, package), quiet=1)


def startup(runs: int, figures: list[Figure]) -> None:
    compile_bytecode()
    env = {**os.environ}
    baseline: list[float] = []
    demo_frame: list[float] = []
    demo_data: list[float] = []
    with tempfile.TemporaryDirectory(prefix="canary-bench-") as home:
        demo_env = {**env, "XDG_DATA_HOME": home, "XDG_CONFIG_HOME": home}
        for _ in range(runs):
            with TerminalSession([sys.executable, "-m", "benchmarks.baseline_app"], env) as term:
                baseline.append(term.wait_for_text(READY_TEXT))
            with TerminalSession([sys.executable, "-m", "canary_tui", "demo"], demo_env) as term:
                demo_frame.append(term.wait_for_text(CONSOLE_FIRST_FRAME_TEXT))
                demo_data.append(term.wait_for_text(DEMO_DATA_TEXT))
    base = statistics.median(baseline)
    frame = statistics.median(demo_frame)
    data = statistics.median(demo_data)
    report(
        Figure(
            "start → first frame: minimal Textual app (yardstick)",
            f"{base * 1000:.0f} ms (median of {runs})",
            "-",
            None,
        ),
        figures,
    )
    report(
        Figure(
            "start → first frame: canary-tui demo",
            f"{frame * 1000:.0f} ms = {frame / base:.1f}x",
            "<= 1.5x yardstick",
            frame <= 1.5 * base,
        ),
        figures,
    )
    report(
        Figure(
            "start → endpoints on screen: canary-tui demo",
            f"{data * 1000:.0f} ms = {data / base:.1f}x",
            "-",
            None,
        ),
        figures,
    )


def demo_phases(figures: list[Figure]) -> None:
    """What ``canary-tui demo`` does before it starts the console, timed in-process."""
    from canary_tui.demo.clients import DemoAwsClients
    from canary_tui.demo.seed import seed_demo_account
    from canary_tui.demo.server import DemoServer
    from canary_tui.demo.simulator import TrafficSimulator, demo_traffic

    began = time.monotonic()
    with DemoServer() as server:
        started = time.monotonic()
        clients = DemoAwsClients(server.url)
        seed_demo_account(clients.sagemaker)
        seeded = time.monotonic()
        simulator = TrafficSimulator(
            clients.sagemaker, clients.cloudwatch, traffic=demo_traffic("healthy"), seed=1
        )
        simulator.backfill(simulator.now())
        filled = time.monotonic()
    report(
        Figure(
            "  demo before the console: server, seed, 1 h backfill",
            f"{(started - began) * 1000:.0f} + {(seeded - started) * 1000:.0f} + "
            f"{(filled - seeded) * 1000:.0f} ms",
            "-",
            None,
        ),
        figures,
    )


# -- 2-5, 8: the headless console over a simulated hour ------------------------------------
def headless_hour(url: str, minutes: int) -> dict[str, Any]:
    args = [url, "--minutes", str(minutes)]
    return json_child("benchmarks.headless", args, aws_environment(url), timeout=600)


def cloudwatch_calls(url: str, hour: dict[str, Any], figures: list[Figure]) -> None:
    from canary_tui.aws.backend import build_backend
    from canary_tui.aws.session import AwsClients, AwsTarget
    from canary_tui.demo.clients import DEMO_REGION
    from canary_tui.domain.metrics import BASE_METRICS, VariantRef

    variants = hour["variants_on_screen"]
    in_app = hour["steady_calls_max"]["cloudwatch.GetMetricData"]
    expected_app = math.ceil(variants * len(BASE_METRICS) / 500)
    # The console fetches one endpoint's variants (SageMaker allows at most 10); the gateway
    # call it makes is the same for any number, so larger V are measured on the gateway.
    os.environ.update({k: v for k, v in aws_environment(url).items() if k.startswith("AWS_")})
    counter = CallCounter()
    backend = build_backend(
        AwsClients(AwsTarget(region=DEMO_REGION, endpoint_url=url), on_client_created=counter)
    )
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    start = end - timedelta(minutes=15)
    first = VariantRef(FIRST_ENDPOINT, "baseline")
    backend.cloudwatch.fetch([first], start, end, 60)  # settles the percentile probe
    refs = [
        VariantRef(name, v)
        for name in endpoint_names()
        for v in ("baseline", "canary-a", "canary-b")
    ]
    measured = []
    ok = in_app <= expected_app
    # The edge of one call: 500 queries over len(BASE_METRICS) (6: 83 variants fit, 84 do not).
    edge = 500 // len(BASE_METRICS)
    for count in (edge, edge + 1, 250):
        before, _ = counter.snapshot()
        backend.cloudwatch.fetch(refs[:count], start, end, 60)
        after, _ = counter.snapshot()
        calls = after["cloudwatch.GetMetricData"] - before["cloudwatch.GetMetricData"]
        expected = math.ceil(count * len(BASE_METRICS) / 500)
        ok = ok and calls <= expected
        measured.append(f"{count}→{calls}")
    report(
        Figure(
            "CloudWatch calls per refresh (V variants → calls)",
            f"app V={variants}→{in_app}; gateway {' '.join(measured)}",
            "ceil(5V/500)",
            ok,
        ),
        figures,
    )


def sagemaker_calls(hour: dict[str, Any], figures: list[Figure]) -> None:
    steady = hour["steady_calls_max"]
    lists = steady["sagemaker.ListEndpoints"]
    describes = steady["sagemaker.DescribeEndpoint"]
    configs = steady["sagemaker.DescribeEndpointConfig"]
    pages = math.ceil(hour["listed"] / 100)
    report(
        Figure(
            f"SageMaker calls per steady refresh, N={hour['listed']}",
            f"List {lists}, Describe {describes}, Config {configs}",
            f"List {pages}, Describe 1, Config 0",
            lists <= pages and describes <= 1 and configs == 0,
        ),
        figures,
    )
    total = hour["calls_total"]
    report(
        Figure(
            f"  background fill, {hour['minutes']} refreshes (all of them)",
            f"Describe {total.get('sagemaker.DescribeEndpoint', 0)}, "
            f"Config {total.get('sagemaker.DescribeEndpointConfig', 0)}",
            "-",
            None,
        ),
        figures,
    )


def metric_queries(hour: dict[str, Any], figures: list[Figure]) -> None:
    from canary_tui.domain.metrics import BASE_METRICS

    per_variant = hour["metric_queries_per_hour"] / hour["variants_on_screen"]
    ceiling = len(BASE_METRICS) * 60  # one query per metric per 60 s period
    report(
        Figure(
            "CloudWatch metric queries per hour per variant (60 s)",
            f"{per_variant:.0f} ({len(BASE_METRICS)} metrics x 60 refreshes)",
            f"<= {ceiling} (1/metric/period)",
            per_variant <= ceiling,
        ),
        figures,
    )


def event_loop_stall(hour: dict[str, Any], figures: list[Figure]) -> None:
    p99 = hour["heartbeat_p99_ms"]
    report(
        Figure(
            f"event-loop stall during refresh, N={hour['listed']} (p99)",
            f"{p99:.1f} ms (max {hour['heartbeat_max_ms']:.0f} ms, "
            f"{hour['heartbeat_samples']} beats)",
            "p99 < 20 ms",
            p99 < 20,
        ),
        figures,
    )


def memory(hour: dict[str, Any], figures: list[Figure]) -> None:
    samples = hour["rss_mb"]
    final = samples[-1][1]
    half = next(mb for minute, mb in samples if minute >= hour["minutes"] // 2)
    growth = final - half
    trail = " ".join(f"{minute}m:{mb:.0f}" for minute, mb in samples[:: max(1, len(samples) // 4)])
    trail += ", verdict shown" if hour.get("verdict_computed") else ", NO verdict computed"
    loaded = hour.get("numeric_modules_loaded")
    if loaded:
        trail += f", {'+'.join(loaded)} loaded"
    report(
        Figure(
            f"RSS, {hour['listed']}x3 after {hour['minutes']} simulated min",
            f"{final:.0f} MB ({trail})",
            "< 120 MB, flat",
            final < 120 and growth < 0.05 * final,
        ),
        figures,
    )


# -- 6, 7: the real CLI in an 80x24 pty --------------------------------------------------
def console_argv(*flags: str) -> list[str]:
    return [sys.executable, "-m", "canary_tui", "--read-only", *flags]


#: The background loop fills the list's variant counts (10 describes every 3 s) for about a
#: minute after start; "steady" figures are taken after it.
FILL_SECONDS = 70


def terminal_figures(
    url: str, refresh_flag: list[str], idle_seconds: float, refreshes: int, figures: list[Figure]
) -> None:
    """The real CLI on an 80x24 pty: bytes written for one ctrl+r after a few metric values
    changed, then CPU time while it sits open on static data."""
    from canary_tui.demo.clients import DemoAwsClients

    publisher = DemoAwsClients(url)
    cadence = refresh_flag[-1] if refresh_flag else "60 (default)"
    with tempfile.TemporaryDirectory(prefix="canary-bench-") as home:
        env = {**aws_environment(url), "XDG_DATA_HOME": home, "XDG_CONFIG_HOME": home}
        argv = [sys.executable, "-m", "canary_tui", "--read-only", *refresh_flag]
        with TerminalSession(argv, env, columns=80, rows=24) as term:
            first_frame = term.wait_for_text(CONSOLE_FIRST_FRAME_TEXT)
            loaded = term.wait_for_text("/m", timeout=60)  # invocations per minute shown
            report(
                Figure(
                    f"start → first frame: console, running server, N={ENDPOINTS}",
                    f"{first_frame * 1000:.0f} ms (metrics {loaded * 1000:.0f} ms)",
                    "-",
                    None,
                ),
                figures,
            )
            fill_end = term.size
            time.sleep(max(0.0, term.started + FILL_SECONDS - time.monotonic()))
            fill_bytes = term.size - fill_end
            sizes = []
            for index in range(refreshes):
                now = datetime.now(UTC).replace(second=0, microsecond=0)
                # A few values change: the last three minutes of the endpoint on screen.
                publish_minutes(
                    publisher, FIRST_ENDPOINT, now - timedelta(minutes=3), 3, level=1.5 + index
                )
                mark = term.wait_quiet(1.0)
                term.send(CTRL_R)
                term.wait_for_output(mark)
                sizes.append(term.wait_quiet(1.0) - mark)
            if FIRST_ENDPOINT not in visible_text(term.output()):
                raise RuntimeError("the console never showed the first endpoint")

            cpu_before, bytes_before, began = term.cpu_seconds(), term.size, time.monotonic()
            time.sleep(idle_seconds)  # a benchmark may wait by the clock
            cpu = term.cpu_seconds() - cpu_before
            elapsed = time.monotonic() - began
            written = term.size - bytes_before
    worst = max(sizes)
    report(
        Figure(
            "bytes to the terminal per refresh, 80x24, few values change",
            f"{statistics.median(sizes) / 1024:.1f} KB median, "
            f"{worst / 1024:.1f} KB max of {refreshes}",
            "<= 4 KB",
            worst <= 4096,
        ),
        figures,
    )
    report(
        Figure(
            "  while the list fills (first minute, background rounds)",
            f"{fill_bytes / 1024:.0f} KB in {FILL_SECONDS - loaded:.0f} s",
            "-",
            None,
        ),
        figures,
    )
    percent = cpu / elapsed * 100
    report(
        Figure(
            f"idle CPU, console open, static data, refresh {cadence} s",
            f"{percent:.2f} % over {elapsed:.0f} s ({written / elapsed:.0f} B/s written)",
            "< 1 %",
            percent < 1.0,
        ),
        figures,
    )


def module_cost(figures: list[Figure]) -> None:
    """The console's modules alone, imported in a fresh interpreter: the floor under the RSS."""
    probe = (
        "import sys\n"
        "import canary_tui.ui.app, canary_tui.domain.verdict\n"
        "def rss():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmRSS:'): return int(line.split()[1]) / 1024\n"
        "print(rss(), '+'.join(m for m in ('scipy', 'numpy') if m in sys.modules) or '-')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    loaded = "" if out[1] == "-" else f"; {out[1]} loaded"
    report(
        Figure(
            "  of which the app's modules, imported",
            f"{float(out[0]):.0f} MB{loaded}",
            "-",
            None,
        ),
        figures,
    )


def verdict_statistics(figures: list[Figure]) -> None:
    """How long the verdict's tests take (canary_tui.domain.stats): a sanity check that
    Fisher's test does not grow with the number of requests, not a target."""
    from canary_tui.domain.stats import fisher_exact_greater, mann_whitney_u_greater

    def per_call(call: Any, repeats: int) -> float:
        began = time.perf_counter()
        for _ in range(repeats):
            call()
        return (time.perf_counter() - began) / repeats

    cases = {
        "1 % canary, 1 h at 300 req/s": (30, 10_770, 1_000, 969_000 - 1_000),
        "1.58 % vs 1 %, 1M req each (p=7e-292)": (15_800, 984_200, 10_000, 990_000),
        "50/50 split, 1M req each, 50 % errors": (250_000, 250_000, 250_000, 250_000),
    }
    for label, table in cases.items():
        seconds = per_call(lambda table=table: fisher_exact_greater(*table), 20)
        report(Figure(f"verdict: Fisher, {label}", f"{seconds * 1e6:.0f} µs", "-", None), figures)
    x = [50.0 + math.sin(i) for i in range(60)]
    y = [50.5 + math.cos(i) for i in range(60)]
    seconds = per_call(lambda: mann_whitney_u_greater(x, y), 200)
    report(
        Figure("verdict: Mann-Whitney U, 60 vs 60 periods", f"{seconds * 1e6:.0f} µs", "-", None),
        figures,
    )


def cli_status(runs: int, figures: list[Figure]) -> None:
    """``canary-tui status`` vs yardsticks making the same calls (benchmarks/cli_status.py),
    and where its start-up goes (benchmarks/cli_startup.py)."""
    from benchmarks import cli_startup
    from benchmarks.cli_status import LIST_ENDPOINTS, measure_list, measure_one

    compile_bytecode()
    one = measure_one(runs)
    ratio = one.ours / one.boto3_script
    value = f"{one.ours * 1000:.0f} ms vs {one.boto3_script * 1000:.0f} ms = {ratio:.2f}x"
    target = "<= 1.1x (issue 13)"
    report(
        Figure("status ENDPOINT vs boto3 script, same calls", value, target, ratio <= 1.1), figures
    )
    name = "status ENDPOINT vs aws sagemaker describe-endpoint"
    if one.aws_cli is None:
        report(
            Figure(name, "AWS CLI not installed: pip install -e '.[bench]'", "< 1.0x", False),
            figures,
        )
    else:
        ratio = one.ours / one.aws_cli
        value = f"{one.ours * 1000:.0f} ms vs {one.aws_cli * 1000:.0f} ms = {ratio:.2f}x"
        report(Figure(name, value, "< 1.0x (issue 13)", ratio < 1.0), figures)
    listing = measure_list(min(runs, 5))  # 20 s a pair at 2,000 endpoints
    ratio = listing.ours / listing.boto3_script
    value = f"{listing.ours:.2f} s vs {listing.boto3_script:.2f} s = {ratio:.2f}x"
    report(
        Figure(
            f"status (list), {LIST_ENDPOINTS:,} endpoints vs boto3, same threads",
            value,
            "<= 1.2x (issue 13)",
            ratio <= 1.2,
        ),
        figures,
    )
    seeding = f"{listing.seeding:.1f} s, straight into moto's backend (benchmarks/bulk_server.py)"
    print(f"    server started with {LIST_ENDPOINTS:,} endpoints in {seeding}", flush=True)
    for line in cli_startup.measure(runs).lines():
        print(f"    {line}", flush=True)


def audit_reading(figures: list[Figure]) -> None:
    """Reading a 100k-change audit log (benchmarks/audit_log.py), with its yardstick."""
    from benchmarks.audit_log import RECORDS, measure

    readings = measure()
    yardstick = readings[0][1]
    for label, seconds in readings:
        ratio = "" if seconds == yardstick else f" = {seconds / yardstick:.2f}x yardstick"
        target, ok = "-", None
        if label.startswith("status"):
            target, ok = "<= 0.1x yardstick", seconds <= 0.1 * yardstick
        report(
            Figure(
                f"audit {RECORDS // 1000}k: {label}", f"{seconds * 1000:.0f} ms{ratio}", target, ok
            ),
            figures,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, shorter windows")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a figure misses")
    parser.add_argument(
        "--only", help="comma-separated: startup,hour,terminal,stats,audit,cli,scale"
    )
    args = parser.parse_args(argv)
    parts = set((args.only or "startup,hour,terminal,stats,audit,cli").split(","))
    figures: list[Figure] = []
    began = time.monotonic()
    print(
        f"canary-tui benchmarks ({'quick' if args.quick else 'full'}), "
        f"{os.cpu_count()} CPUs, python {sys.version.split()[0]}",
        flush=True,
    )
    if "stats" in parts:
        verdict_statistics(figures)
    if "audit" in parts:
        audit_reading(figures)
    if "cli" in parts:
        cli_status(3 if args.quick else 7, figures)
    if "scale" in parts:  # only when asked: 5,000 endpoints take several minutes
        from benchmarks.console_scale import scale

        scale(args.quick, figures)
    if "startup" in parts:
        startup(3 if args.quick else 7, figures)
        demo_phases(figures)
    if parts & {"hour", "terminal"}:
        with moto_server() as server:
            seed(server.url, ENDPOINTS)
            if "hour" in parts:
                hour = headless_hour(server.url, 60 if args.quick else 120)
                cloudwatch_calls(server.url, hour, figures)
                sagemaker_calls(hour, figures)
                metric_queries(hour, figures)
                event_loop_stall(hour, figures)
                memory(hour, figures)
                module_cost(figures)
            if "terminal" in parts:
                if args.quick:  # a poll every 10 s, so a 20 s window holds two
                    terminal_figures(server.url, ["--refresh", "10"], 20, 3, figures)
                else:  # the default cadence: one poll in a 60 s window
                    terminal_figures(server.url, [], 60, 5, figures)
    misses = [f for f in figures if f.ok is False]
    print(
        f"{len(figures)} figures, {len(misses)} MISS, {time.monotonic() - began:.0f} s", flush=True
    )
    return 1 if (args.strict and misses) else 0
