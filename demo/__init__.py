"""Deterministic demo data for the district (Chenghua) and city (Chengdu) tiers."""
