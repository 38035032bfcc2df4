"""The console paints first and gets its backend from a factory in a worker (the demo's
fast start): usable while the factory blocks, polling once it returns, one line if it fails."""

from __future__ import annotations

import threading

from canary_tui.aws.backend import Backend
from canary_tui.demo.server import DemoServerError
from canary_tui.ui.app import CanaryApp
from canary_tui.ui.options import ConsoleOptions
from canary_tui.ui.screens.help import HelpScreen
from canary_tui.ui.startup import StartedBackend, StillStarting
from canary_tui.ui.widgets.endpoint_list import EndpointList
from canary_tui.ui.widgets.status_line import StatusLine
from tests.ui.helpers import console, table_rows, wait_for

STARTING = "starting the demo account…"


def status_text(app: CanaryApp) -> str:
    return str(console(app).query_one(StatusLine).render())


def starting_app(factory: object, **options: object) -> CanaryApp:
    return CanaryApp.starting(
        factory,  # type: ignore[arg-type]
        ConsoleOptions(mode_label="demo", **options),  # type: ignore[arg-type]
        starting_text=STARTING,
    )


async def test_paints_and_answers_keys_while_the_factory_blocks_then_polls(
    backend: Backend, canary_endpoint: str
) -> None:
    release = threading.Event()
    called = threading.Event()

    def factory() -> StartedBackend:
        called.set()
        # Bounded, so a broken app fails the test instead of hanging it.
        assert release.wait(30), "the test never released the factory"
        return StartedBackend(backend=backend, change_service=None, region="us-east-1")

    app = starting_app(factory)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, called.is_set, "the factory is called after the first frame")
            assert STARTING in status_text(app)
            assert table_rows(console(app).query_one(EndpointList)) == []
            assert console(app).query_one("#endpoints-pane").border_title == "Endpoints"
            # ctrl+r before the backend exists: one line, no crash, no AWS call.
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: console(app).stale_cause is not None, "refusal")
            assert console(app).stale_cause == STARTING
            await pilot.press("question_mark")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "help opens")
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), "help closes")

            release.set()
            await wait_for(
                pilot,
                lambda: (
                    canary_endpoint
                    in [row[0] for row in table_rows(console(app).query_one(EndpointList))]
                ),
                "the endpoints of the real backend appear",
            )
            assert app.backend is backend
            assert console(app).backend is backend
            await wait_for(pilot, lambda: STARTING not in status_text(app), "status")
            assert "demo" in status_text(app) and "us-east-1" in status_text(app)
            assert console(app).stale_cause is None
            assert app.start_error is None
    finally:
        release.set()


async def test_a_failing_factory_exits_with_one_line_and_no_traceback() -> None:
    def factory() -> StartedBackend:
        raise DemoServerError("the demo's moto server exited while starting: boom\nsecond line")

    app = starting_app(factory)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.start_error is not None, "the failure is recorded")
    assert app.start_error == "the demo's moto server exited while starting: boom"
    assert app.return_code == 1
    assert app._exit_renderables == []  # Textual prints no traceback on exit


async def test_until_the_factory_returns_the_placeholder_refuses_reads() -> None:
    app = starting_app(lambda: None)
    reader_error = None
    try:
        app.backend.sagemaker  # noqa: B018 (the property is the test)
    except StillStarting as error:
        reader_error = error
    assert reader_error is not None and reader_error.message == STARTING
    assert app.backend.label == "demo"
    assert app.options.poll is False


async def test_options_from_the_factory_replace_the_first_frames_theme_ascii_and_keys(
    backend: Backend, canary_endpoint: str
) -> None:
    # The demo reads its settings in the factory: the first frame shows what the flags said.
    read = ConsoleOptions(
        mode_label="demo", theme="nord", ascii=True, keymap={"help": "f1"}, region="us-east-1"
    )

    def factory() -> StartedBackend:
        return StartedBackend(backend=backend, change_service=None, options=read)

    app = starting_app(factory)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == "textual-dark" and not app.has_class("-ascii")
        await wait_for(pilot, lambda: app.options is read, "the factory's options are in force")
        await wait_for(pilot, lambda: app.theme == "nord", "the theme of the settings")
        assert app.has_class("-ascii")
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "f1 opens help")
        assert console(app).options is read
