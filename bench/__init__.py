"""``gridmap bench``: the scale tiers of docs/ARCHITECTURE.md, each figure beside the naive way."""
