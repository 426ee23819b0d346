"""``gridmap bench``: the scale tiers of DESIGN.md, each figure beside the naive way."""
