"""Offline tribunal kits: export, change packages, merging, conflicts."""
