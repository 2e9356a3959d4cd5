"""The learner's and the mentor's dashboards: figures read from the person's own items (Queries and
batch reads only), money from the same records and ledger functions the payments pages use."""
