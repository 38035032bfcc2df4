"""Profile and region switching inside the console, against moto: a temp AWS config file
with two profiles in different regions, one endpoint in each region."""

from __future__ import annotations

from pathlib import Path

import pytest

from canary_tui.audit import AuditLog
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.ramping import RampLauncher
from canary_tui.ui.screens.console import ConsoleScreen
from canary_tui.ui.screens.editor import WeightEditor
from canary_tui.ui.screens.profile_switch import PickTarget
from canary_tui.ui.targets import AwsTargetSwitcher, DemoTargetSwitcher, ProfileRules
from canary_tui.ui.widgets.status_line import StatusLine
from tests.ui.fakes import frozen_clock
from tests.ui.helpers import console, refresh_and_settle, static_text, wait_for

RULES = ProfileRules(read_only_profiles=("prod-*",), production_profiles=("prod-*",))


@pytest.fixture
def staging_app(
    moto_url: str,
    two_region_account: dict[str, tuple[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> CanaryApp:
    monkeypatch.delenv("AWS_DEFAULT_REGION")  # each profile's own region must decide
    audit = AuditLog(tmp_path / "audit.jsonl")
    switcher = AwsTargetSwitcher(RULES, endpoint_url=moto_url, audit=audit, max_attempts=1)
    start = switcher.connect("staging", None)
    assert (start.region, start.read_only, start.production) == ("us-east-1", False, False)
    options = ConsoleOptions(
        poll=False,
        region=start.region,
        profile="staging",
        read_only_profiles=RULES.read_only_profiles,  # type: ignore[arg-type]
        production_profiles=RULES.production_profiles,  # type: ignore[arg-type]
    )
    return CanaryApp(
        start.backend,
        start.change_service,
        options,
        audit=audit,
        switcher=switcher,
        clock=frozen_clock,
        ramps=RampLauncher(start.backend, audit),  # type: ignore[arg-type]
    )


def status_text(app: CanaryApp) -> str:
    return static_text(console(app).query_one(StatusLine))


async def switched_from(app: CanaryApp, old: ConsoleScreen, pilot: object) -> None:
    await wait_for(
        pilot,  # type: ignore[arg-type]
        lambda: isinstance(app.screen, ConsoleScreen) and app.screen is not old,
        "the new console screen",
    )


async def test_profile_switch_shows_the_other_regions_endpoints_read_only_and_production(
    staging_app: CanaryApp,
) -> None:
    app = staging_app
    async with app.run_test(size=(120, 40)) as pilot:
        await refresh_and_settle(pilot, "staging-endpoint")
        old = console(app)
        assert set(old.summaries) == {"staging-endpoint"}
        status = status_text(app)
        assert "staging" in status and "us-east-1" in status
        assert "PRODUCTION" not in status and "READ-ONLY" not in status

        await pilot.press("colon", *"profile prod-admin", "enter")
        await switched_from(app, old, pilot)
        await refresh_and_settle(pilot, "prod-endpoint")
        new = console(app)
        assert set(new.summaries) == {"prod-endpoint"}  # the old region's data is gone
        status = status_text(app)
        assert "prod-admin" in status and "eu-west-1" in status
        assert "PRODUCTION" in status and "READ-ONLY" in status
        assert app.has_class("-production")
        assert new.query_one(StatusLine).has_class("-production")
        # Read-only profile: the write keys are refused, no change service or ramps exist.
        assert app.change_service is None and app.ramps is None
        await pilot.press("w")
        await pilot.pause()
        assert not isinstance(app.screen, WeightEditor)
        assert any("Read-only" in n.message for n in app._notifications)


async def test_region_switch_from_the_palette_picker_keeps_the_profile(
    staging_app: CanaryApp,
) -> None:
    app = staging_app
    async with app.run_test(size=(120, 40)) as pilot:
        await refresh_and_settle(pilot, "staging-endpoint")
        old = console(app)
        app.action_switch_region()
        await wait_for(pilot, lambda: isinstance(app.screen, PickTarget), "the region picker")
        await pilot.press(*"eu-west-1", "enter")
        await switched_from(app, old, pilot)
        await refresh_and_settle(pilot, "prod-endpoint")
        status = status_text(app)
        assert "staging" in status and "eu-west-1" in status
        assert "PRODUCTION" not in status and "READ-ONLY" not in status
        assert app.change_service is not None and not app.has_class("-production")
        # Ramps started from now on go to the new target.
        assert app.ramps is not None and app.ramps.backend is app.backend


async def test_profile_picker_lists_the_aws_config_profiles(staging_app: CanaryApp) -> None:
    app = staging_app
    async with app.run_test(size=(120, 40)) as pilot:
        app.action_switch_profile()
        await wait_for(pilot, lambda: isinstance(app.screen, PickTarget), "the profile picker")
        picker = app.screen
        assert isinstance(picker, PickTarget)
        assert [value for value, _ in picker.choices] == ["prod-admin", "staging"]
        assert "eu-west-1" in dict(picker.choices)["prod-admin"]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConsoleScreen), "the console")


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("profile no-such-profile", "could not be found"),
        ("region eu-north-9", "SageMaker has no region 'eu-north-9'"),
        ("region Mars", "not an AWS region name: 'Mars'"),
    ],
)
async def test_a_bad_switch_is_one_notification_and_changes_nothing(
    staging_app: CanaryApp, command: str, message: str
) -> None:
    app = staging_app
    async with app.run_test(size=(120, 40)) as pilot:
        await refresh_and_settle(pilot, "staging-endpoint")
        old = console(app)
        await pilot.press("colon", *command, "enter")
        await wait_for(
            pilot,
            lambda: any(message in n.message for n in app._notifications),
            "the failure notice",
        )
        await app.workers.wait_for_complete()
        assert console(app) is old and app.screen is old
        assert "staging" in status_text(app) and "us-east-1" in status_text(app)


async def test_demo_switches_region_but_refuses_profiles(
    moto_url: str, two_region_account: dict[str, tuple[str, str]]
) -> None:
    switcher = DemoTargetSwitcher(moto_url)
    start = switcher.connect(None, None)
    app = CanaryApp(
        start.backend,
        None,
        ConsoleOptions(poll=False, region=start.region, mode_label="demo", demo=True),
        switcher=switcher,
        clock=frozen_clock,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await refresh_and_settle(pilot, "staging-endpoint")
        old = console(app)
        await pilot.press("colon", *"profile prod-admin", "enter")
        await wait_for(
            pilot,
            lambda: any("profiles cannot be switched" in n.message for n in app._notifications),
            "the refusal",
        )
        assert app.screen is old
        await pilot.press("colon", *"region eu-west-1", "enter")
        await switched_from(app, old, pilot)
        await refresh_and_settle(pilot, "prod-endpoint")
        assert "demo" in status_text(app) and "eu-west-1" in status_text(app)


async def test_palette_offers_switch_profile(staging_app: CanaryApp) -> None:
    app = staging_app
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"switch profile", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PickTarget), "the profile picker")
        await pilot.press(*"prod", "enter")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ConsoleScreen) and app.options.profile == "prod-admin",
            "the switch to prod-admin",
        )
        await refresh_and_settle(pilot, "prod-endpoint")
        assert "PRODUCTION" in status_text(app)
