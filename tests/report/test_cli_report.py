"""`canary-tui report` in-process against moto: the files it writes from a recorded session
(sections, timeline rows, images, no address), and bad input refused in one line with exit 2
before anything but reads is sent."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from canary_tui.aws.backend import Backend, build_backend
from canary_tui.aws.cloudwatch import CloudWatchGateway
from canary_tui.aws.session import AwsClients, AwsTarget, client_config
from canary_tui.cli.main import main
from canary_tui.report.sections import SECTION_TITLES
from tests.aws.faults import FaultInjector, access_denied
from tests.conftest import REGION
from tests.report.scenario import ENDPOINT, REASON, record_session

LOOSE = ["--min-requests", "100", "--min-periods", "5"]


def nothing_may_be_sent(*_: Any, **__: Any) -> Any:
    raise AssertionError("a request was made for bad input")


@pytest.fixture
def no_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any AWS request fails the test: at botocore's own call, whatever builds the client."""
    monkeypatch.setattr("botocore.client.BaseClient._make_api_call", nothing_may_be_sent)


@pytest.fixture(autouse=True)
def quiet_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logging.getLogger("werkzeug"), "level", logging.ERROR)


@pytest.fixture
def session(
    backend: Backend,
    canary_endpoint: str,
    sagemaker_client: Any,
    cloudwatch_client: Any,
    tmp_path: Path,
) -> Path:
    """The audit log of a recorded session (our change, then one made outside)."""
    audit = tmp_path / "audit.jsonl"
    record_session(backend, sagemaker_client, cloudwatch_client, audit)
    return audit


def run(
    capsys: pytest.CaptureFixture[str], moto_url: str, *args: str, cloudtrail: bool = False
) -> tuple[int, str, str]:
    """``canary-tui report ARGS`` in-process against moto; moto has no LookupEvents, so
    CloudTrail is left out unless the test puts a fault or a fake in its place."""
    capsys.readouterr()
    target = ["--endpoint-url", moto_url, "--region", REGION]
    try:
        code = main(["report", *args, *target, *([] if cloudtrail else ["--no-cloudtrail"])])
    except SystemExit as exited:
        code = exited.code if isinstance(exited.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_html_is_one_self_contained_file(
    capsys: pytest.CaptureFixture[str], moto_url: str, session: Path, tmp_path: Path
) -> None:
    output = tmp_path / "out" / "incident.html"
    output.parent.mkdir()
    code, out, err = run(
        capsys, moto_url, ENDPOINT, "--since", "70m", "-o", str(output),
        "--audit-log", str(session), *LOOSE,
    )  # fmt: skip
    assert code == 0, err
    assert str(output) in out and "2 changes" in out and "GetMetricData calls" in out
    assert sorted(path.name for path in output.parent.iterdir()) == ["incident.html"]
    html = output.read_text()
    for title in SECTION_TITLES:
        assert f">{title}</h2>" in html
    # The timeline: our change with who, origin and why; then the outside one.
    rows = re.findall(r"<tr><td>(#\d+)</td>(.*?)</tr>", html)
    assert [label for label, _ in rows] == ["#1", "#2"]
    assert "cli" in rows[0][1] and REASON in rows[0][1] and "applied" in rows[0][1]
    assert "new-model 10.0% -&gt; 30.0%" in rows[0][1]
    assert "outside canary-tui" in rows[1][1] and "new-model 30.0% -&gt; 50.0%" in rows[1][1]
    # Verdicts: the window and three intervals, the last too short to judge.
    assert "The whole window" in html and html.count("<h3>Interval ") == 3
    assert "no whole period between the changes" in html
    assert "traffic_split" in html and "errors_5xx" in html
    # A chart per metric per variant (6 metrics without percentiles, 2 variants).
    assert html.count("<svg") == 12 and html.count("<figure>") == 12
    assert "#1" in html.split("<svg", 1)[1]  # change markers are drawn on the charts
    # Nothing to fetch: no address, no script, no external font or stylesheet.
    assert not re.search(r"https?://", html)
    assert "<script" not in html and "@import" not in html and "@font-face" not in html
    assert not re.search(r"url\((?!#)", html)  # only the SVGs' own clip paths
    assert not re.search(r"(src|href)=\"(?!#)", html)
    assert "GetMetricData calls: 3 for 12 series queries" in html


def test_markdown_keeps_its_charts_in_an_assets_folder(
    capsys: pytest.CaptureFixture[str], moto_url: str, session: Path, tmp_path: Path
) -> None:
    output = tmp_path / "incident (1).md"
    code, _, err = run(
        capsys, moto_url, ENDPOINT, "--since", "70m", "-o", str(output),
        "--audit-log", str(session), *LOOSE,
    )  # fmt: skip
    assert code == 0, err
    text = output.read_text()
    for title in SECTION_TITLES:
        assert f"\n## {title}\n" in text
    links = re.findall(r"!\[[^\]]*\]\(([^)]+\.svg)\)", text)
    assert len(links) == 12
    for link in links:
        assert link.startswith("incident%20%281%29.md.assets/")
        svg = (tmp_path / unquote(link)).read_text()
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "| \\#1 |" in text and REASON in text


def test_hostile_text_from_the_audit_log_stays_text(
    capsys: pytest.CaptureFixture[str],
    moto_url: str,
    backend: Backend,
    canary_endpoint: str,
    sagemaker_client: Any,
    cloudwatch_client: Any,
    tmp_path: Path,
) -> None:
    audit = tmp_path / "audit.jsonl"
    hostile = "<script>alert(1)</script> | *x* \x1b[2J \u202e01/09"
    record_session(backend, sagemaker_client, cloudwatch_client, audit, reason=hostile)
    html_path, md_path = tmp_path / "r.html", tmp_path / "r.md"
    for output in (html_path, md_path):
        code, _, err = run(
            capsys, moto_url, ENDPOINT, "--since", "70m", "-o", str(output),
            "--audit-log", str(audit),
        )  # fmt: skip
        assert code == 0, err
    html = html_path.read_text()
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\x1b" not in html and "\u202e" not in html and "\\x1b[2J" in html
    markdown = md_path.read_text()
    assert "\\<script\\>" in markdown and "\\| \\*x\\*" in markdown
    assert "\x1b" not in markdown and "\u202e" not in markdown


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--since", "yesterday"], "--since: expected a duration like 6h or an ISO time"),
        (["--since", "2026-13-45T10:00"], "--since: not an ISO time"),
        (["--since", "\u202e6h\x1b[2J"], "--since: expected a duration"),
        (["--since", "1h", "--until", "2h"], "must be before --until"),
        (["--until", "2999-01-01T00:00Z"], "is in the future"),
        (["--since", "900d"], "must be from 1m to 455d"),
        (["--since", "20d", "--period", "60"], "use --period 300 or more"),
        (["-o", "/nonexistent-dir/x.html"], "no directory"),
        (["-o", "/dev/full"], "not a regular file"),
        (["--format", "pdf"], "invalid choice"),
        (["--alpha", "2"], "alpha"),
        (["--audit-log", "/dev/full"], "cannot read the audit log"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_is_sent(
    capsys: pytest.CaptureFixture[str],
    moto_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    args: list[str],
    needle: str,
) -> None:
    monkeypatch.setattr("botocore.client.BaseClient._make_api_call", nothing_may_be_sent)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, moto_url, ENDPOINT, *args)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert lines[0].startswith("canary-tui: ") and needle in lines[0], lines[0]
    assert "\x1b" not in err and "\u202e" not in err
    assert out == "" and list(tmp_path.glob("*report*")) == []


@pytest.mark.parametrize("name", ["endpoint-\u00e9t\u00e9", "x" * 70, "-bad", "a b"])
def test_a_bad_endpoint_name_is_refused_before_any_call(
    capsys: pytest.CaptureFixture[str],
    moto_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    name: str,
) -> None:
    monkeypatch.setattr("botocore.client.BaseClient._make_api_call", nothing_may_be_sent)
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, moto_url, name)
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_directory_is_refused_before_any_call(
    capsys: pytest.CaptureFixture[str],
    moto_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # /sys takes no new file, even from root (a chmod 500 directory does not stop root).
    monkeypatch.setattr("botocore.client.BaseClient._make_api_call", nothing_may_be_sent)
    code, _, err = run(capsys, moto_url, ENDPOINT, "-o", "/sys/r.html")
    assert code == 2 and "the directory is not writable" in err, err


def test_an_unknown_endpoint_reads_only_its_description(
    capsys: pytest.CaptureFixture[str],
    moto_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(CloudWatchGateway, "fetch", nothing_may_be_sent)
    code, _, err = run(capsys, moto_url, "no-such-endpoint", "-o", str(tmp_path / "r.html"))
    assert code == 2 and "endpoint 'no-such-endpoint' not found" in err, err
    assert not (tmp_path / "r.html").exists()


def test_cloudtrail_that_cannot_be_read_is_said_and_the_report_still_written(
    capsys: pytest.CaptureFixture[str],
    moto_url: str,
    monkeypatch: pytest.MonkeyPatch,
    session: Path,
    tmp_path: Path,
) -> None:
    faults = FaultInjector()
    faults.fail("LookupEvents", access_denied("cloudtrail:LookupEvents"))

    def faulty(_: Any) -> Backend:
        clients = AwsClients(
            AwsTarget(region=REGION, endpoint_url=moto_url),
            config=client_config(max_attempts=1),
            on_client_created=faults,
        )
        return build_backend(clients)

    monkeypatch.setattr("canary_tui.cli.common.backend_from_args", faulty)
    output = tmp_path / "r.html"
    code, _, err = run(
        capsys, moto_url, ENDPOINT, "--since", "70m", "-o", str(output),
        "--audit-log", str(session), cloudtrail=True,
    )  # fmt: skip
    assert code == 0, err
    html = output.read_text()
    assert "Sources: audit log, CloudTrail." in html
    assert "CloudTrail: not read (" in html and "LookupEvents" in html
    assert faults.calls_to("LookupEvents") == 1
    # The outside change is still there, as the audit log and DescribeEndpoint imply it.
    assert html.count("<td>outside canary-tui</td>") == 1


def test_an_aws_error_keeps_its_exit_code(
    capsys: pytest.CaptureFixture[str],
    moto_url: str,
    monkeypatch: pytest.MonkeyPatch,
    session: Path,
    tmp_path: Path,
) -> None:
    faults = FaultInjector()
    faults.fail("GetMetricData", access_denied("cloudwatch:GetMetricData"))

    def faulty(_: Any) -> Backend:
        clients = AwsClients(
            AwsTarget(region=REGION, endpoint_url=moto_url),
            config=client_config(max_attempts=1),
            on_client_created=faults,
        )
        return build_backend(clients)

    monkeypatch.setattr("canary_tui.cli.common.backend_from_args", faulty)
    output = tmp_path / "r.html"
    code, _, err = run(capsys, moto_url, ENDPOINT, "-o", str(output), "--audit-log", str(session))
    assert code == 1 and len(err.strip().splitlines()) == 1, err
    assert "GetMetricData" in err and not output.exists()
