"""Printed documents (ReportLab): fonts, GB/T 9704 geometry, templates, line breaking, rendering."""
