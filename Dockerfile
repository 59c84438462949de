# Masar application image: web (gunicorn), worker and beat (Celery) and migrate all run it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint 70 needs Pango (with HarfBuzz for Arabic shaping) and fontconfig; gettext compiles
# the catalogues; fonts-noto-core is a fallback (the PDF fonts ship in static/fonts).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        libfontconfig1 \
        fontconfig \
        shared-mime-info \
        gettext \
        fonts-noto-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system masar \
    && useradd --system --gid masar --home-dir /app --no-create-home --shell /usr/sbin/nologin masar

WORKDIR /app

COPY requirements-pip.txt requirements.txt ./
RUN pip install --require-hashes -r requirements-pip.txt \
    && pip install --require-hashes -r requirements.txt

# The code belongs to root: the application user can read it but not change it.
COPY . .

# Catalogues and static files are built into the image. The settings' embedded defaults are
# enough here (no database is touched); STATIC_MANIFEST=on matches what production runs.
RUN if find . -path '*/LC_MESSAGES/*.po' | grep -q .; then \
        python manage.py compilemessages --ignore=.venv --ignore=node_modules; \
    fi \
    && STATIC_MANIFEST=on python manage.py collectstatic --noinput \
    && mkdir -p /app/var/private \
    && chown -R masar:masar /app/var

USER masar

EXPOSE 8000

CMD ["gunicorn", "masar.wsgi:application", "--config", "gunicorn.conf.py"]
