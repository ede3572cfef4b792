#!/bin/sh
# deploy/backup.sh against a running server: the copy opens, passes
# integrity_check, holds every accepted submission and its stored file.
. "$(dirname "$0")/lib/server_env.sh"

make_pool || { notok "synthetic pool"; exit 1; }
setup_db || { notok "database set up"; exit 1; }
start_server || { notok "server started"; exit 1; }
ok "server started"

for m in one two three; do
	req POST "/api/v1/submissions?track=std&method_name=$m" \
	    -H "Authorization: Bearer $TA" -H 'Content-Type: text/plain' \
	    --data-binary "@$SHARED/example-standard.txt"
	expect 201 "submission $m accepted"
done

# the backup runs while the server is up and serving
check "backup.sh succeeds on a live server" \
    sh -c "sh '$ROOT/deploy/backup.sh' '$T/state' '$T/backup' >'$T/backup.log' 2>&1"
B=$(ls -d "$T"/backup/dataoptim-* 2>/dev/null | head -n 1)
check "the copy passes integrity_check" \
    sh -c "[ \"\$(sqlite3 '$B/dataoptim.db' 'PRAGMA integrity_check;')\" = ok ]"
check "the copy holds the three submissions" \
    sh -c "[ \"\$(sqlite3 '$B/dataoptim.db' 'SELECT count(*) FROM submissions;')\" = 3 ]"
n_files=$(find "$B/submissions" -type f 2>/dev/null | wc -l)
n_live=$(find "$T/state/submissions" -type f | wc -l)
check "every stored submission file is copied ($n_files of $n_live)" \
    test "$n_files" -eq "$n_live" -a "$n_live" -ge 3
check "server stopped cleanly" stop_server
check "no sanitizer report" no_sanitizer_errors
