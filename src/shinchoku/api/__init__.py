"""The read-only REST API of published data (docs/api.md): the plans and their trees, the
nodes with their results, ratings, targets, indicators and costs, the counts and totals
kept at write time, and the search, as JSON under ``/api/v1/``; its OpenAPI document at
``/api/openapi.json`` and a page for people at ``/api/`` made from that document.

- ``views``: the operations (django-ninja), thin: parse, call a selector, answer;
- ``selectors``: the reads, each a fixed number of queries whatever the size of the data,
  returning the response schemas (``schemas``) filled in;
- ``caching``: the ETag of every answer, from the data version, and the 304;
- ``middleware``: what every request under ``/api/`` gets (CORS, the rate limit, HEAD,
  errors as problem details, reads from the replica);
- ``problems``: the errors as problem details (RFC 9457);
- ``docs``: the page for people.
"""
