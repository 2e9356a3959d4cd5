"""Bookings: learners' seats in sessions, holds, cancellations, the waitlist and joining the room."""
