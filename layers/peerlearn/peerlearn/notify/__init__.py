"""Messages to people: email templates now; in-app notifications later."""
