"""Widgets render what the screen binds down and post messages; they own no state."""
