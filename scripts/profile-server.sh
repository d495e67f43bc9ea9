#!/usr/bin/env bash
# Where the server's CPU goes with one hall at 12,000 waiting tickets (issue 16): the sweep's
# waiting case at that one count (SQLite unless --postgres URL is given), the release build,
# and `perf record` with DWARF call graphs on the whole bench process (server and client share
# it) for the measured seconds only — not the fill. Writes artifacts/bench/profile-<W>.data and
# profile-<W>.txt (top symbols by self and by inclusive share).
#   scripts/profile-server.sh [--waiting N] [--rate N] [--seconds N] [other sweep options]
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
command -v perf >/dev/null || { say "perf is not installed (apt-get install linux-perf)"; exit 1; }
WAITING=12000 RATE=100 SECONDS_=6
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --waiting) WAITING=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --seconds) SECONDS_=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
release_sim
LOG="$OUT/profile-$WAITING.log" DATA="$OUT/profile-$WAITING.data" TXT="$OUT/profile-$WAITING.txt"

say "filling one hall to $WAITING waiting, then $RATE tickets/s (and calls) for $SECONDS_ s"
HALLKEEPER_LOG=warn,hallkeeper_sim=info "$SIM" sweep --cases waiting --waiting "$WAITING" --rate "$RATE" \
  --seconds "$SECONDS_" --fill-seconds 300 --json "$OUT/profile-$WAITING.json" "${args[@]}" >"$OUT/profile-$WAITING.md" 2>"$LOG" &
PID=$!
until grep -q "measuring" "$LOG"; do
  kill -0 "$PID" 2>/dev/null || { cat "$LOG" >&2; say "the sweep ended before measuring"; exit 1; }
  sleep 0.2
done
# The measured seconds less a margin for the open loop's start and its callers' end.
perf record -q -F 499 --call-graph dwarf,16384 -o "$DATA" -p "$PID" -- sleep "$((SECONDS_ - 1))" 2>>"$LOG"
wait "$PID"
cat "$OUT/profile-$WAITING.md"

{
  echo "# perf, one hall at $WAITING waiting, $RATE tickets/s + calls, $(date -u +%FT%TZ), $(git rev-parse --short HEAD)"
  echo "## self (--no-children)"
  perf report -i "$DATA" --no-children --stdio --sort symbol --percent-limit 1.5 -g none 2>/dev/null | grep -v '^$'
  echo "## inclusive (--children)"
  perf report -i "$DATA" --children --stdio --sort symbol --percent-limit 5 -g none 2>/dev/null | grep -v '^$'
} | sed -E 's/[[:space:]]+-[[:space:]]+-[[:space:]]*$//' >"$TXT"
say "profile summary: $TXT (perf report -i $DATA for more)"
grep -v '^#' "$TXT" | head -60
