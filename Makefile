# The README's two commands: `make run` and `make test`. Both install what is missing and are idempotent.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_PASSWORD ?= Fengji@2026
HOST ?= 127.0.0.1
PORT ?= 5000
APT_RUN := python3-venv fontconfig libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
           fonts-noto-cjk fonts-arphic-ukai fonts-arphic-uming poppler-utils postgresql-client
APT_TEST := chromium postgresql slapd ldap-utils
APT_BENCH := nginx openssl postgresql
FANDOL_DIR := /usr/local/share/fonts/fandol

.PHONY: run test test-sqlite test-postgres deps test-deps system-deps system-test-deps fonts db bench clean

run: deps db
	@echo "风纪已启动：http://$(HOST):$(PORT)  演示账号 demo-staff / demo-head / demo-discipline …  密码：$(DEMO_PASSWORD)"
	@# the job worker (notices, batch printing, reports, backups) runs beside the web server and stops with it
	$(BIN)/flask --app app jobs worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --workers 2 --threads 4 --bind $(HOST):$(PORT) --access-logfile - --access-logformat '%(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss' app:app

test: test-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

deps: system-deps fonts $(VENV)/.installed

test-deps: deps system-test-deps $(VENV)/.installed-test

system-deps:
	@missing=""; for p in $(APT_RUN); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "安装系统软件包：$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

system-test-deps:
	@missing=""; for p in $(APT_TEST); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "安装测试所需软件包：$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

# Fandol fonts (GB2312-complete 仿宋/黑体/楷体/宋体) from Debian's texlive-lang-chinese .deb, without TeX.
fonts:
	@if [ ! -f $(FANDOL_DIR)/FandolFang-Regular.otf ]; then \
	  tmp=$$(mktemp -d); cd $$tmp && (apt-get download texlive-lang-chinese >/dev/null 2>&1 || \
	    (apt-get update -qq && apt-get download texlive-lang-chinese)) && \
	  dpkg-deb --fsys-tarfile texlive-lang-chinese_*.deb | tar -x --wildcards '*fandol/*.otf' && \
	  mkdir -p $(FANDOL_DIR) && find . -name 'Fandol*.otf' -exec cp {} $(FANDOL_DIR)/ \; && \
	  fc-cache -f >/dev/null && rm -rf $$tmp && echo "已安装 Fandol 字体"; fi

$(VENV)/bin/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

db:
	@if [ ! -f instance/portal.sqlite3 ]; then \
	  $(BIN)/flask --app app init-db && $(BIN)/flask --app app seed-demo --password '$(DEMO_PASSWORD)'; \
	else $(BIN)/flask --app app db-upgrade; fi

# every benchmark, each on SQLite and PostgreSQL (BENCH_DATABASE_URL, default fj_bench), all run to the end
BENCH_SKIP := bench/common.py bench/cluster_jobs.py
bench: deps
	@for p in $(APT_BENCH); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi
	@failed=""; for b in bench/*.py; do case " $(BENCH_SKIP) " in *" $$b "*) continue;; esac; \
	  echo "== $$b"; $(BIN)/python $$b || failed="$$failed $$b"; done; \
	if [ -n "$$failed" ]; then echo "失败的基准测试：$$failed"; exit 1; fi

clean:
	rm -rf $(VENV) .pytest_cache
