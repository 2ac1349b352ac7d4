"""Figures and lists: statistics, weekly and monthly reports, exports."""
