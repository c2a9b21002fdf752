#!/bin/sh
# Every man page must pass mandoc's linter with no warnings.
set -e
cd "$(dirname "$0")/.."
n=0; bad=0
for m in man/*.[1578]; do
	[ -e "$m" ] || continue
	n=$((n + 1))
	out=$(mandoc -T lint -W warning "$m" 2>&1 || true)
	if [ -n "$out" ]; then echo "$out"; bad=$((bad + 1)); fi
done
echo "man pages: $((n - bad)) passed, $bad failed"
[ "$bad" = 0 ]
