"""The Textual console. Only this package imports textual."""
