"""Use cases: the only layer the GUI and the command line call, grouped by the stage of the work
(see docs/architecture.md)."""
