"""Build the demo scenario and write its data files: `uv run python -m sources.demo.generator`."""

from __future__ import annotations

from datetime import timedelta

from sources.demo.generator.replies import add_reactions
from sources.demo.generator.scenario import END, OUT, START, Builder
from sources.demo.generator.writers import write_all


def main() -> None:
    """Build the scenario and write every file."""
    builder = Builder()
    day = START.date()
    while day <= END.date():
        builder.day_posts(day)
        day += timedelta(days=1)
    builder.company_and_press()
    builder.hostile()
    add_reactions(builder)
    write_all(builder, OUT)


if __name__ == "__main__":
    main()
