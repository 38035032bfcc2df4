"""Notifications: webhooks (Slack-compatible or plain JSON) told about ramps, changes and
verdicts that turned FAIL.

Pure parts: :mod:`targets` (a webhook, the event kinds), :mod:`events` and
:mod:`change_events` (what an event says), :mod:`bodies` (the request bodies),
:mod:`retry` (when to try again). I/O: :mod:`sender` (a thread and a bounded queue per
webhook), :mod:`hub` (where events are published), :mod:`setup` (a command's run).
:mod:`publish` holds the one call each event source makes.
"""
