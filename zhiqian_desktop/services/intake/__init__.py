"""Taking cases in: the docket, case numbers, hand-over lists from Excel."""
