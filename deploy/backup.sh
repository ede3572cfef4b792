#!/bin/sh
# Back up a running DataOptim server: an online, consistent copy of the
# SQLite database (sqlite3's backup API, safe while dataoptimd writes) and
# the stored submission files.  Usage: deploy/backup.sh STATE_DIR DEST_DIR
# Restore: stop dataoptimd, copy dataoptim.db, submissions/ and IDENTITY back.
set -eu
STATE=${1:?usage: backup.sh STATE_DIR DEST_DIR}
DEST=${2:?usage: backup.sh STATE_DIR DEST_DIR}
DB=${DB:-$STATE/dataoptim.db}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$DEST/dataoptim-$STAMP"
mkdir -p "$OUT"
sqlite3 "$DB" ".backup '$OUT/dataoptim.db'"
sqlite3 "$OUT/dataoptim.db" "PRAGMA integrity_check;" | grep -qx ok
# submission files are written once and renamed into place: a plain copy is consistent
if [ -d "$STATE/submissions" ]; then
	cp -a "$STATE/submissions" "$OUT/"
fi
# the identity that ties the database to its state directory (a restore
# puts it back beside submissions/)
if [ -f "$STATE/IDENTITY" ]; then
	cp -a "$STATE/IDENTITY" "$OUT/"
fi
echo "backup written to $OUT"
