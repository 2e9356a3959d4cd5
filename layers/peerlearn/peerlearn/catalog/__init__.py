"""The catalog: mentors' sessions, their lifecycle, and discovery."""
