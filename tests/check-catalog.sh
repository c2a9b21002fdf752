#!/bin/sh
# SPDX-License-Identifier: MIT
# The journal catalog (systemd/berth.catalog) explains every audit event
# berth sends (lib/core/audit.c), and journalctl accepts it.
set -eu
cd "$(dirname "$0")/.."
ids=$(sed -n 's/.*{ "\([a-z.]*\)", "\([0-9a-f]\{32\}\)" }.*/\2/p' lib/core/audit.c | sort)
have=$(sed -n 's/^-- \([0-9a-f]\{32\}\)$/\1/p' systemd/berth.catalog | sort)
if [ "$ids" != "$have" ]; then
	echo "check-catalog: systemd/berth.catalog and lib/core/audit.c name different MESSAGE_IDs:" >&2
	printf '%s\n' "$ids" > /tmp/berth-catalog-ids.$$
	printf '%s\n' "$have" | diff /tmp/berth-catalog-ids.$$ - >&2 || true
	rm -f /tmp/berth-catalog-ids.$$
	exit 1
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/lib/systemd/catalog"
cp systemd/berth.catalog "$root/usr/lib/systemd/catalog/"
journalctl --root="$root" --update-catalog
listed=$(journalctl --root="$root" --list-catalog | awk '{print $1}' | sort)
if [ "$listed" != "$ids" ]; then
	echo "check-catalog: journalctl does not list every entry of systemd/berth.catalog" >&2
	exit 1
fi
echo "check-catalog: $(printf '%s\n' "$ids" | wc -l) events explained, journalctl reads the catalog"
