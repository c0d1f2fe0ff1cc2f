"""The demo marketplace (being written)."""


def demo_seed(*, progress: bool = False) -> None:
    """Seed the demo communities once."""
