"""`canary-tui report`: the post-mortem report of an endpoint (timeline, verdicts, charts)."""
