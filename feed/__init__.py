"""Incident feed: store (SQLite / PostGIS), workflow state machine, SLA clock, intake, simulator."""
