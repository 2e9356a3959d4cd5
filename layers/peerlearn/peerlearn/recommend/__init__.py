"""Recommendations and matching: sessions and mentors for each learner, trending, similar sessions,
and what learners want (for mentors).

The engine (`model`, numpy only, no storage) is what `evaluate` measures on any interaction log and
what the recommendations function serves; `build` turns the table into its inputs, `artefacts`
stores a build in S3 and keeps the newest in memory, `signals` keeps popularity and each learner's
taste current from the stream between builds, and `serving` answers the routes.
"""
