#!/usr/bin/env bash
# Proof that CI is green on a fresh machine, every run: `.ci/run` in fresh clones of HEAD
#   1. with an empty test-host cache (as on a new machine: code-server and Node 24 installed anew),
#   2. with the cache warm,
#   3. with the cache warm while `stress-ng --cpu 2` loads every core,
# then the e2e layer alone N times in a row in the last clone. Prints one line per run and a summary.
#
#   scripts/ci-repeat.sh                 all of it (about 30-45 minutes on 2 cores)
#   CI_REPEAT_RUNS="cold e2e" scripts/ci-repeat.sh   only some (cold, warm, load, e2e)
#   CI_REPEAT_E2E=5                      how many e2e runs (default 5)
#   CI_REPEAT_DIR=/tmp/x                 where clones and logs go (default: a new temp folder)
set -uo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
runs="${CI_REPEAT_RUNS:-cold warm load e2e}"
e2e_runs="${CI_REPEAT_E2E:-5}"
work="${CI_REPEAT_DIR:-$(mktemp -d /tmp/ci-repeat-XXXXXX)}"
mkdir -p "$work"
commit="$(git -C "$repo" rev-parse HEAD)"
results="$work/results.txt"
: > "$results"
echo "ci-repeat: commit $commit, logs in $work"
if ! git -C "$repo" diff --quiet HEAD; then
  echo "ci-repeat: note: the working tree has uncommitted changes; the clones test the commit only"
fi

# The last line of a log that reads "N passed, M failed".
tally() { grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -1; }

record() { # name, exit code, seconds, log
  local line
  line="$(printf '%-8s %-6s %5ss  %s  (%s)' "$1" "$([ "$2" -eq 0 ] && echo green || echo RED)" "$3" "$(tally "$4")" "$4")"
  echo "$line" | tee -a "$results"
}

clone() { # name -> prints the clone's path
  local dir="$work/$1"
  rm -rf "$dir"
  git clone -q "$repo" "$dir" && git -C "$dir" checkout -q "$commit"
  echo "$dir"
}

ci_run() { # name, extra env...
  local name="$1"; shift
  local dir log start code
  dir="$(clone "$name")"
  log="$work/$name.log"
  start=$(date +%s)
  (cd "$dir" && env "$@" bash .ci/run) > "$log" 2>&1
  code=$?
  record "$name" "$code" "$(( $(date +%s) - start ))" "$log"
  last_clone="$dir"
}

last_clone=""
for run in $runs; do
  case "$run" in
    cold)
      cache="$work/empty-test-host-cache"
      rm -rf "$cache" && mkdir -p "$cache"
      ci_run cold "BACKGROUND_TASKS_TEST_CACHE=$cache"
      ;;
    warm)
      ci_run warm "CI_REPEAT=warm"
      ;;
    load)
      if ! command -v stress-ng >/dev/null; then
        SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
        $SUDO apt-get install -y -qq stress-ng >/dev/null 2>&1 || { echo "ci-repeat: cannot install stress-ng"; exit 2; }
      fi
      stress-ng --cpu "$(nproc)" --timeout 3600s --quiet &
      stress=$!
      ci_run load "CI_REPEAT=load"
      kill "$stress" 2>/dev/null; wait "$stress" 2>/dev/null
      ;;
    e2e)
      [ -n "$last_clone" ] || { last_clone="$(clone e2e-base)"; (cd "$last_clone" && npm ci --no-audit --no-fund >/dev/null 2>&1); }
      for i in $(seq 1 "$e2e_runs"); do
        log="$work/e2e-$i.log"
        start=$(date +%s)
        (cd "$last_clone" && npm run test:e2e) > "$log" 2>&1
        code=$?
        # mocha prints "N passing" / "M failing"; put them in the summary's shape.
        p=$(grep -Eo '^ *[0-9]+ passing' "$log" | grep -Eo '[0-9]+' | tail -1); f=$(grep -Eo '^ *[0-9]+ failing' "$log" | grep -Eo '[0-9]+' | tail -1)
        echo "${p:-0} passed, ${f:-0} failed" >> "$log"
        record "e2e-$i" "$code" "$(( $(date +%s) - start ))" "$log"
      done
      ;;
    *) echo "ci-repeat: unknown run '$run' (cold, warm, load, e2e)"; exit 2 ;;
  esac
done

echo
echo "=== ci-repeat summary (commit ${commit:0:10}) ==="
cat "$results"
green=$(grep -c ' green ' "$results")
total=$(wc -l < "$results")
echo "$green of $total runs green"
[ "$green" -eq "$total" ]
