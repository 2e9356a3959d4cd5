"""The only code that talks to the outside world: email, object storage (and later payments, AI)."""
