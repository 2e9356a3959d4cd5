"""Rights function: a person's data download and account deletion, and the admins' data requests.

Its own function because deleting reaches further than the profile routes may (every item of the
person's partition, their bookings' and sessions' partitions, the email claims): the users and admin
functions keep their narrower permissions.
"""

from __future__ import annotations

from peerlearn.coldstart import cold_start

with cold_start():
    from peerlearn.api.function import rest_function
    from peerlearn.api.routes import rights

    function = rest_function([rights.router])
app, logger, lambda_handler = function.app, function.logger, function.handler
