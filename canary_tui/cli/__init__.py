"""The command line: parse arguments, build backends, run the console or a headless command."""
