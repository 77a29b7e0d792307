"""The bundled demo scenario: data files the replay streams, and the generator behind them.

Everything here is fictional: the company (Korvando), its sites, people, outlets and
unions were invented for Echowatch. `build_scenario.py` writes the data files; run it
with `uv run python -m sources.demo.generator.scenario` after changing the scenario.
"""
