"""The yardstick of start-up time: a minimal Textual app that shows one Static."""

from textual.app import App, ComposeResult
from textual.widgets import Static

READY_TEXT = "baseline app ready"


class BaselineApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(READY_TEXT)


if __name__ == "__main__":
    BaselineApp().run()
