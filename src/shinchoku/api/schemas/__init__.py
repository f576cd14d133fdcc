"""The shapes of the API's answers, by what they are about: ``structure`` (plans, their
vocabulary and trees, nodes), ``progress`` (results, ratings, targets, indicators, costs)
and ``summaries`` (the kept counts and totals, the search)."""
