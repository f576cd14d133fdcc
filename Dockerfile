# The Shinchoku image: the web server (gunicorn, the default command) and, with another
# command, the job worker and the management commands (docs/deploy.md). Built from this
# checkout: `docker compose build`.
FROM python:3.11-slim

# A Japanese font for the PDF reports (the same Debian package bin/setup installs).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-ipaexfont \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The project and its pinned dependencies (pyproject.toml), installed as a package.
WORKDIR /opt/shinchoku
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install . && rm -rf /opt/shinchoku/src /opt/shinchoku/build

# Where the running site keeps its files (uploads between preview and import, the report
# cache): a volume. The static files are gathered into the image, with hashed names and
# compressed (collectstatic needs the settings to load: a key used for nothing else).
ENV SHINCHOKU_VAR_DIR=/var/lib/shinchoku \
    STATIC_ROOT=/opt/shinchoku/static \
    GUNICORN_BIND=0.0.0.0:8000
RUN SECRET_KEY=collectstatic-only DATABASE_URL=sqlite:///:memory: \
    shinchoku collectstatic --no-input -v0

# Never as root.
RUN useradd --system --uid 10001 --home-dir /var/lib/shinchoku --shell /usr/sbin/nologin shinchoku \
    && mkdir -p /var/lib/shinchoku \
    && chown shinchoku:shinchoku /var/lib/shinchoku
USER shinchoku
VOLUME ["/var/lib/shinchoku"]

EXPOSE 8000
# /healthz answers 200 when the database answers a query, 503 when not (urlopen raises).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["gunicorn", "--config", "python:shinchoku.ops.gunicorn_conf"]
