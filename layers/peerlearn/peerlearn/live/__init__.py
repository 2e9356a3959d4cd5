"""Live rooms: signaling, presence, chat, timer (live-core) and recordings, chat files, gifts and
mentor no-shows (live-extras)."""
