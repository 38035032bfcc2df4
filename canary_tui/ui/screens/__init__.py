"""Screens own state; modal screens return a value through ``dismiss``."""
