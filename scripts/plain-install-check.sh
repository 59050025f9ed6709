#!/usr/bin/env bash
# The plain-install check: `pip install .` with NO extras into a fresh virtualenv, then, with only that virtualenv,
# every command on the bundled sample (import, analyze, report as HTML/PDF/XLSX/CSV, export-graph as GraphML/GEXF,
# the dashboard over HTTP) and an import of every module of moderator_kit and dashboards. It catches a package that
# is used at run time but missing from pyproject's dependencies (the test extras hide that from `make test`), and a
# build that prints deprecation warnings. Exits 1 naming every failed step, with the end of its log.
#
# Environment: PYTHON (default python3) makes the virtualenv; KEEP_PLAIN_INSTALL=1 keeps the temporary folder;
# MODERATOR_KIT_REQUIRE_BROWSER=1 (set by .ci/run) also requires the PDF's charts (kaleido + Debian's Chromium).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
chat=jobhuntchat
sample=$repo/sample_data/$chat
tmp=$(mktemp -d "${TMPDIR:-/tmp}/moderator-kit-plain-install.XXXXXX")
venv=$tmp/venv
ws=$tmp/workspace
out=$tmp/out
logs=$tmp/logs
mkdir -p "$out" "$logs" "$tmp/src"
dashboard_pid=
failures=()

cleanup() {
  if [ -n "$dashboard_pid" ]; then stop_dashboard; fi
  if [ "${KEEP_PLAIN_INSTALL:-0}" = 1 ]; then say "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

say() { echo "plain-install-check: $*" >&2; }
# fail STEP REASON [LOG]: record a failure (showing the end of its log) and go on with the steps that do not need it
fail() {
  failures+=("$1: $2")
  say "FAILED $1: $2"
  if [ -n "${3:-}" ] && [ -s "$3" ]; then tail -n 12 "$3" | sed 's/^/    | /' >&2; fi
}
# run STEP COMMAND...: run with its output in logs/STEP.log; on failure, the reason is the log's last line
run() {
  local step=$1 status=0
  shift
  "$@" >"$logs/$step.log" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    say "$step: ${*##*/}"
    fail "$step" "exit status $status: $(grep -v '^\s*$' "$logs/$step.log" | tail -n 1)" "$logs/$step.log"
  fi
  return "$status"
}
finish() {
  if [ ${#failures[@]} -eq 0 ]; then
    say "OK: a plain 'pip install .' runs import, analyze, report (html, pdf, xlsx, csv), export-graph (graphml, gexf), the dashboard, and imports every module"
    exit 0
  fi
  say "${#failures[@]} step(s) FAILED after a plain 'pip install .' (no extras); is a run-time import missing from [project.dependencies] in pyproject.toml?"
  for line in "${failures[@]}"; do say "  - $line"; done
  exit 1
}
# check_file STEP PATH PATTERN: PATH exists, is not empty and its start matches the grep pattern (a format's magic)
check_file() {
  if [ ! -s "$2" ]; then
    fail "$1" "$2 is missing or empty"
  elif ! head -c 4096 "$2" | LC_ALL=C grep -aqiE "$3"; then
    fail "$1" "$2 does not look right (no /$3/ in its first 4 KiB)"
  fi
}
stop_dashboard() {
  kill "$dashboard_pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$dashboard_pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$dashboard_pid" 2>/dev/null || true
  wait "$dashboard_pid" 2>/dev/null || true
  dashboard_pid=
}

# Only the new virtualenv: no source checkout or user site-packages on the path, and not run from the repo.
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV
export PYTHONNOUSERSITE=1 PIP_DISABLE_PIP_VERSION_CHECK=1
export MODERATOR_KIT_WORKSPACE=$ws  # dashboards.wsgi reads it at import
cd "$tmp"

say "virtualenv in $venv (with $("$python" --version 2>&1))"
run venv "$python" -m venv "$venv" || finish
run pip-upgrade "$venv/bin/python" -m pip install --quiet --upgrade pip || finish
# Build from a clean copy, so that nothing stale (build/, *.egg-info, a workspace) goes into the wheel or the repo.
tar -C "$repo" --exclude=./.git --exclude=./.venv --exclude=./build --exclude=./dist --exclude='*.egg-info' \
  --exclude=__pycache__ --exclude=./workspace --exclude=./artifacts --exclude=.pytest_cache --exclude=.hypothesis \
  -cf - . | tar -C "$tmp/src" -xf -
say "pip install . (no extras)"
run install "$venv/bin/python" -m pip install --verbose "$tmp/src" || finish
if grep -nE "BuildBackendWarning|DeprecationWarning|is deprecated|DEPRECATION:" "$logs/install.log" >"$logs/build-warnings.log"; then
  fail build-warnings "the build printed deprecation warnings (see pyproject.toml's [project] and [build-system])" \
    "$logs/build-warnings.log"
fi
kit=$venv/bin/moderator-kit
[ -x "$kit" ] || { fail install "no moderator-kit console script in $venv/bin"; finish; }

say "import + analyze the sample ($chat)"
run import "$kit" import "$sample/$chat.jsonl" --chat "$chat" --config "$sample/chat.yaml" --workspace "$ws" || finish
run analyze "$kit" analyze --chat "$chat" --workspace "$ws" || true

say "import every module of moderator_kit and dashboards"
run import-all "$venv/bin/python" "$repo/scripts/plain_install_probe.py" import-all "$venv" \
  || true

say "report: html, pdf, xlsx, csv"
for format in html pdf xlsx csv; do
  file=$out/report.$format
  [ "$format" = csv ] && file=$out/report-csv.zip
  run "report-$format" "$kit" report --chat "$chat" --format "$format" --output "$file" --workspace "$ws" || continue
  case $format in
    html) check_file report-html "$file" '<html' ;;
    pdf) check_file report-pdf "$file" '^%PDF-' ;;
    xlsx | csv) check_file "report-$format" "$file" '^PK' ;;
  esac
done
# Without kaleido + Chromium the PDF is still written, with a note in place of each chart.
pdf=$out/report.pdf
if [ -s "$pdf" ]; then
  if command -v pdftotext >/dev/null 2>&1; then
    if pdftotext "$pdf" - | tr -s '[:space:]' ' ' | grep -q "is not available in this PDF"; then
      if [ "${MODERATOR_KIT_REQUIRE_BROWSER:-0}" = 1 ]; then
        fail report-pdf-charts "the PDF has no charts (kaleido could not draw them with Chromium)" "$logs/report-pdf.log"
      else
        say "note: the PDF has no charts here (kaleido needs Chromium: scripts/system-deps.sh)"
      fi
    fi
  elif [ "${MODERATOR_KIT_REQUIRE_BROWSER:-0}" = 1 ]; then
    fail report-pdf-charts "pdftotext is missing, so the PDF's charts cannot be checked (scripts/system-deps.sh)"
  fi
fi

say "export-graph: graphml, gexf"
for format in graphml gexf; do
  file=$out/graph.$format
  run "export-$format" "$kit" export-graph --chat "$chat" --format "$format" --output "$file" --workspace "$ws" \
    && check_file "export-$format" "$file" "<$format"
done

say "dashboard"
port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$kit" dashboard --workspace "$ws" --port "$port" >"$logs/dashboard.log" 2>&1 &
dashboard_pid=$!
probe=("$venv/bin/python" "$repo/scripts/plain_install_probe.py" fetch)
deadline=$((SECONDS + ${DASHBOARD_TIMEOUT:-120}))
up=0
while :; do
  if reason=$("${probe[@]}" "http://127.0.0.1:$port/"); then up=1; break; fi
  if ! kill -0 "$dashboard_pid" 2>/dev/null; then
    status=0
    wait "$dashboard_pid" || status=$?
    dashboard_pid=
    fail dashboard "exit status $status before answering: $(grep -v '^\s*$' "$logs/dashboard.log" | tail -n 1)" \
      "$logs/dashboard.log"
    break
  fi
  if [ $SECONDS -ge $deadline ]; then
    fail dashboard "no HTTP 200 on / within ${DASHBOARD_TIMEOUT:-120} s (last: $reason)" "$logs/dashboard.log"
    break
  fi
  sleep 1
done
if [ "$up" = 1 ]; then
  # the page shell answered; the layout and the callback map are what the browser asks for next
  for path in _dash-layout _dash-dependencies; do
    reason=$("${probe[@]}" "http://127.0.0.1:$port/$path" --json) || fail dashboard "/$path: $reason" "$logs/dashboard.log"
  done
  say "dashboard answered on http://127.0.0.1:$port/"
fi
if [ -n "$dashboard_pid" ]; then stop_dashboard; fi

finish
