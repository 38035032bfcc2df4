"""The embedded demo backend: a moto server on loopback, seeded, with a traffic simulator."""
