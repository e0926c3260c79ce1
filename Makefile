# The two set-up commands are `make run` and `make test`; both create the virtualenv if needed.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help run test test-fast lint fmt check-deploy bench clean

help:
	@echo "make run    - install, migrate, load demo data once, serve http://127.0.0.1:8000 (SQLite)"
	@echo "make test   - install and run the whole test suite (PostgreSQL/Redis if DATABASE_URL/REDIS_URL are set)"
	@echo "make lint   - ruff, ruff format --check, makemigrations --check"

$(PY):
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: export DEBUG ?= true
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py seed_kb
	@echo ""
	@echo "  Helpdesk: http://127.0.0.1:8000   (admin: /admin/, API docs: /api/docs/, contact form: /contact/)"
	@echo "  Help centre: /help/, customer portal: /portal/, chat sites and their widget snippet: admin -> Chat sites"
	@echo "  Demo logins (password 'demo'): admin, alice (agent), bob (agent), lena (light agent)"
	@echo ""
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=true DATABASE_URL=sqlite://:memory: $(PY) manage.py makemigrations --check --dry-run

fmt: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-deploy: $(STAMP)
	SECRET_KEY=$$($(PY) -c "import secrets; print(secrets.token_urlsafe(50))") DEBUG=false ALLOWED_HOSTS=helpdesk.example.com \
		$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var db.sqlite3
