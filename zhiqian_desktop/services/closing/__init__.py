"""Ending a case: payments, settlements, closing, transfer, dossiers, batches."""
