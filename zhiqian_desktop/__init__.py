"""Zhiqian Desktop (执前督促): the supervision docket of a court's pre-enforcement team."""

__version__ = "0.1.0"
