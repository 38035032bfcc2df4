"""canary-tui: a keyboard-driven console for canary rollouts of SageMaker endpoint variants."""

__version__ = "0.1.0"
