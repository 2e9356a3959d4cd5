"""Recommendations function: sessions for a learner, trending, similar sessions, mentors for a
learner, what learners want (mentors) and the view beacon. The newest built model is loaded into
memory on first use and refreshed when a newer build appears (peerlearn.recommend.artefacts)."""

from __future__ import annotations

from peerlearn.coldstart import cold_start

with cold_start():
    from peerlearn.api.function import rest_function
    from peerlearn.api.routes import recommendations
    from peerlearn.config import ModelSettings
    from peerlearn.recommend.artefacts import ModelCache, store_from

    models = ModelSettings.from_env()
    assert models.refresh_seconds is not None  # required when serving (from_env says which)
    cache = ModelCache(store_from(models.models_dir, models.bucket), refresh_seconds=models.refresh_seconds)
    function = rest_function([recommendations.router], extra_context={"models": cache})
app, logger, lambda_handler = function.app, function.logger, function.handler
