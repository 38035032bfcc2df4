"""Pure domain code: no I/O, no boto3, no Textual. Everything here is testable without an app."""
