# carecycle-dash: the Streamlit dashboard in one container. See docs/deploy.md.
# No Docker engine runs on the development machines, so this file is not built there; the start
# command it runs (scripts/serve) and its health check are tested directly (tests/test_container_start.py).
FROM python:3.11-slim

# No .pyc writes (the image may run on a read-only file system), logs straight out, no pip cache,
# and Streamlit as a service: no browser, no usage statistics, no file watching.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none \
    STREAMLIT_SERVER_PORT=8501 \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0
# The app binds every interface here (the port is published), so the names people reach it by must be given at
# run time, e.g. `docker run -e STREAMLIT_SERVER_ALLOWED_HOSTS="dash.example.org" ...` (space-separated);
# unset, only localhost may open a session and the start says so in one line.

# A fixed, unprivileged user; the code stays owned by root so the app cannot rewrite itself.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /home/app --create-home --shell /usr/sbin/nologin app

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY app.py ./
COPY pages/ ./pages/
COPY carecycle_dash/ ./carecycle_dash/
COPY .streamlit/config.toml ./.streamlit/config.toml
COPY scripts/serve ./scripts/serve
# Secrets are never baked in: mount them at /app/.streamlit/secrets.toml (docs/deploy.md).

USER app
EXPOSE 8501

# The slim image has no curl; Python asks the app's own health endpoint.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; port = os.environ.get('STREAMLIT_SERVER_PORT', '8501'); sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{port}/_stcore/health', timeout=4).status == 200 else 1)"]

# Equivalent to: streamlit run app.py --server.port=8501 --server.address=0.0.0.0
CMD ["sh", "scripts/serve"]
