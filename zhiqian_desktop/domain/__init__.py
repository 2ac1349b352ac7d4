"""Pure legal and business rules: no Qt, no database session, nothing else of ours."""
