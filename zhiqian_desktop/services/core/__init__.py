"""Who acts and what the court has set: users, logins, audit, settings, holidays."""
