"""Keeping the installation: backups, restore, checks, encryption, demo data."""
