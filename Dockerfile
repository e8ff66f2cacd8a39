# syntax=docker/dockerfile:1
# One image for every role: `wusong serve` (default), `wusong worker`, `wusong migrate`, and the
# platform commands (`wusong tenant ...`, `wusong user ...`). Build: docker build -t wusong .

# ---- builder: resolve the locked dependencies and install wusong (non-editable) into /opt/venv --
FROM python:3.11-slim-bookworm AS builder

# Same uv as scripts/dev (UV_VERSION). The interpreter is the image's own Python 3.11, so the venv
# built here works unchanged in the runtime stage, which uses the same base image.
RUN pip install --no-cache-dir uv==0.13.8

ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy

WORKDIR /src

# Dependencies first (only the lock decides them), so code changes do not reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

# Then the project itself, as a regular (non-editable) wheel install. README.md is pyproject's
# `readme`. Static files and migrations are package data inside the packages under platform/;
# templates/ goes into the wheel as data files (/opt/venv/share/wusong/templates).
COPY README.md ./
COPY platform/ platform/
COPY templates/ templates/
RUN uv sync --frozen --no-dev --no-editable

# ---- runtime ------------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS runtime

# WeasyPrint's pango/harfbuzz (harfbuzz-subset makes CJK PDFs ~40x faster) and CJK fonts.
# This list must stay identical to DEBIAN_RUNTIME in scripts/dev (which .ci/run uses), so the
# image renders PDFs exactly as the tested environment does.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 wusong \
    && useradd --system --uid 10001 --gid wusong --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin wusong \
    && mkdir -p /var/lib/wusong \
    && chown wusong:wusong /var/lib/wusong

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    WUSONG_ENV=production \
    WUSONG_DATA_DIR=/var/lib/wusong

# Code and templates stay owned by root: the service user can read them, not change them.
COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
USER wusong
VOLUME ["/var/lib/wusong"]
EXPOSE 8000

# Liveness of the web server. Containers running `wusong worker` or `wusong migrate` from this
# image should disable it (compose.yaml does).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]

CMD ["wusong", "serve", "--host", "0.0.0.0", "--port", "8000"]
