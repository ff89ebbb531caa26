#!/bin/sh
# Verifies every spec in specs/ (or the files given) at full size under the default
# --max-memory, one after the other, and prints a markdown row per spec: exit code, cells,
# wall time and peak RSS (GNU time -v). With RUNS=N (default 1) each spec runs N times and
# the row shows the median wall time and the median peak RSS (and the range of the wall
# times), with the load average before the first run. Run `npm run build` first.
# Usage: [RUNS=3] sh bench/verify-table.sh [spec.cnn ...]
cd "$(dirname "$0")/.." || exit 1
[ $# -gt 0 ] || set -- specs/*.cnn
runs=${RUNS:-1}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "| spec | exit | cells ✓/✗/· | wall | peak RSS |"
echo "| --- | ---: | --- | ---: | ---: |"
for f in "$@"; do
  out=$(mktemp) log=$(mktemp) walls=$(mktemp) rsss=$(mktemp)
  load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)
  i=0
  while [ "$i" -lt "$runs" ]; do
    /usr/bin/time -v node bin/convspec.js verify "$f" --format json > "$out" 2> "$log"
    code=$?
    # h:mm:ss or m:ss.ss → seconds
    sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log" | awk -F: '{ s = 0; for (k = 1; k <= NF; k++) s = s * 60 + $k; print s }' >> "$walls"
    sed -n 's/.*Maximum resident set size (kbytes): //p' "$log" >> "$rsss"
    i=$((i + 1))
  done
  cells=$(node -e '
    const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    let ok = 0, bad = 0, none = 0;
    for (const m of j.models) for (const l of m.layers) for (const c of Object.values(l.cells)) {
      if (!c.ok) bad++; else if (c.measured === null) none++; else ok++;
    }
    console.log(`${ok}/${bad}/${none}`);' "$out" 2>/dev/null || echo "-")
  wall=$(median < "$walls")
  rss=$(median < "$rsss")
  if [ "$runs" -gt 1 ]; then
    range=$(sort -n "$walls" | sed -n '1p;$p' | paste -sd'-' -)
    echo "| \`$f\` | $code | $cells | ${wall} s (${range}; load ${load}) | $((rss / 1024)) MiB |"
  else
    echo "| \`$f\` | $code | $cells | ${wall} s | $((rss / 1024)) MiB |"
  fi
  rm -f "$out" "$log" "$walls" "$rsss"
done
