"""Working a case: contact logs, notices and their service, the due-list."""
