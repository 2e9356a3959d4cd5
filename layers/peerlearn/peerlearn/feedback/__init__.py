"""Feedback: learners rate completed sessions, mentors reply; aggregates kept by the stream."""
