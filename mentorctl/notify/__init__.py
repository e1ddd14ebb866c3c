"""Email: the SMTP transport, the one outbox, introductions and reminders."""
