#!/bin/sh
# Verifies every spec in specs/ (or the files given) at full size under the default
# --max-memory, one after the other, and prints a markdown row per spec: exit code, cells,
# wall time and peak RSS (GNU time -v). Run `npm run build` first.
# Usage: sh bench/verify-table.sh [spec.cnn ...]
cd "$(dirname "$0")/.." || exit 1
[ $# -gt 0 ] || set -- specs/*.cnn
echo "| spec | exit | cells ✓/✗/· | wall | peak RSS |"
echo "| --- | ---: | --- | ---: | ---: |"
for f in "$@"; do
  out=$(mktemp) log=$(mktemp)
  /usr/bin/time -v node bin/convspec.js verify "$f" --format json > "$out" 2> "$log"
  code=$?
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
  cells=$(node -e '
    const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    let ok = 0, bad = 0, none = 0;
    for (const m of j.models) for (const l of m.layers) for (const c of Object.values(l.cells)) {
      if (!c.ok) bad++; else if (c.measured === null) none++; else ok++;
    }
    console.log(`${ok}/${bad}/${none}`);' "$out" 2>/dev/null || echo "-")
  echo "| \`$f\` | $code | $cells | $wall | $((rss / 1024)) MiB |"
  rm -f "$out" "$log"
done
