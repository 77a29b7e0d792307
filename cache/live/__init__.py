"""Live services: the collector that polls sources and stores what they bring; the demo store."""
