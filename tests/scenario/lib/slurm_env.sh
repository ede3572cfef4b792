# A real one-node Slurm cluster for the worker's Slurm scenarios (sourced,
# POSIX sh, after worker_env.sh).  slurm_start runs munged, slurmctld and
# slurmd (Debian's slurmctld, slurmd, slurm-client and munge packages; as
# root) with everything under $T/slurm: key, socket, slurm.conf, state,
# spool, logs.  Each cluster has free TCP ports, a node name and a munge
# socket of its own, so the plain and the sanitizer run of a scenario can
# each have one at the same time.  Where Slurm cannot run here the script
# ends with the TAP line "1..0 # SKIP slurm: REASON" and exit 0 (the
# runner reports "skip NAME: REASON", neither passed nor failed).  At exit
# slurm_cleanup kills the workers, then the cluster and every process of
# its jobs, then the server, and removes $T.
#
#   SLURM_CPUS         the node's CPUs (2)
#   SLURM_EXTRA_CONF   more slurm.conf lines (they win: Slurm keeps a
#                      parameter's last value)
#   SLURM_START_WAIT   seconds a try waits for the node to be idle (40)
#
# Call slurm_start before the first check (a skip must come before any ok
# line).  After it: SLURM_CONF (exported: sbatch, squeue, scontrol and
# scancel, and the workers started after, talk to this cluster),
# SLURM_NODE (the node's name), SLURM_DIR ($T/slurm), SLURM_START_MS.
# A script with a trap of its own calls slurm_cleanup from it.

SLURM_DIR=$T/slurm
SLURM_NODE=""
SLURM_CTLD_PID=""
SLURMD_PID=""
SLURM_MUNGED_PID=""
SLURM_START_MS=""

slurm_cleanup() {
	command -v worker_kill >/dev/null 2>&1 && worker_kill
	slurm_stop
	cleanup
}
trap slurm_cleanup EXIT

# slurm_skip REASON: the whole script is skipped (no ok / not ok line)
slurm_skip() {
	echo "1..0 # SKIP slurm: $1"
	exit 0
}

_slurm_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# _slurm_port_used PORT: a TCP socket (any state, IPv4 or IPv6) has it
_slurm_port_used() {
	awk -v p="$(printf '%04X' "$1")" 'FNR > 1 { split($2, a, ":")
	    if (toupper(a[2]) == p) found = 1 } END { exit !found }' \
	    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# _slurm_free_port [NOT]: a random port, below the ephemeral range (so no
# outgoing connection can hold it) and not in use, other than NOT
_slurm_free_port() {
	_lo=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
	[ "${_lo:-0}" -gt 12000 ] || _lo=32768
	while :; do
		_p=$(( 10000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % (_lo - 10000) ))
		[ "$_p" != "${1:-}" ] && ! _slurm_port_used "$_p" && break
	done
	echo "$_p"
}

# _slurm_conf CTLD_PORT SLURMD_PORT: write $SLURM_CONF
_slurm_conf() {
	cat >"$SLURM_CONF" <<EOF
ClusterName=$SLURM_NODE
SlurmctldHost=$_slurm_host(127.0.0.1)
SlurmctldPort=$1
SlurmdPort=$2
AuthType=auth/munge
AuthInfo=socket=$SLURM_MUNGE_SOCK
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd.pid
SlurmctldLogFile=$SLURM_DIR/slurmctld.log
SlurmdLogFile=$SLURM_DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# a node set DOWN stays DOWN until slurm_node_up; one that stopped
# answering comes back when its slurmd registers again
ReturnToService=1
SlurmdTimeout=30
# scancel: SIGTERM, then SIGKILL KillWait later (default 30 s), but
# slurmd waits 5 s at least: a job that ignores SIGTERM is gone ~4.7 s
# after scancel
KillWait=2
# a finished job stays visible to scontrol/squeue for 300 s at least
MinJobAge=300
# Slurm itself never requeues a batch job (node failure: NODE_FAIL)
JobRequeue=0
SchedulerType=sched/builtin
SchedulerParameters=sched_interval=1
NodeName=$SLURM_NODE NodeHostname=$_slurm_host NodeAddr=127.0.0.1 CPUs=${SLURM_CPUS:-2} State=UNKNOWN
PartitionName=debug Nodes=$SLURM_NODE Default=YES MaxTime=INFINITE State=UP
${SLURM_EXTRA_CONF:-}
EOF
}

# _slurm_node_idle: the node is up and idle
_slurm_node_idle() {
	scontrol show node -o "$SLURM_NODE" 2>/dev/null | grep -q ' State=IDLE '
}

# _slurm_alive PID: it runs (a child that exited is a zombie until waited
# for, and kill -0 still reaches it)
_slurm_alive() {
	_st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)
	[ -n "$_st" ] && [ "$_st" != Z ]
}

# _slurm_listens PID PORT: the process has the socket listening on PORT
# (not some other program that took the port first: a client would wait
# MessageTimeout, 10 s, for its answer)
_slurm_listens() {
	_ino=$(awk -v p="$(printf '%04X' "$2")" 'FNR > 1 && $4 == "0A" {
	    split($2, a, ":"); if (toupper(a[2]) == p) print $10 }' \
	    /proc/net/tcp /proc/net/tcp6 2>/dev/null)
	[ -n "$_ino" ] || return 1
	for _i in $_ino; do
		find "/proc/$1/fd" -lname "socket:?$_i?" 2>/dev/null | grep -q . && return 0
	done
	return 1
}

# _slurm_up CTLD_PORT: both daemons still run, slurmctld listens and the
# node is idle; 2 (stop waiting) when a daemon died
_slurm_up() {
	_slurm_alive "$SLURM_CTLD_PID" || return 2
	_slurm_alive "$SLURMD_PID" || return 2
	_slurm_listens "$SLURM_CTLD_PID" "$1" || return 1
	_slurm_node_idle
}

# _slurm_try: slurmctld and slurmd on fresh ports; 0 once the node is idle
_slurm_try() {
	_cp=$(_slurm_free_port); _dp=$(_slurm_free_port "$_cp")
	rm -rf "$SLURM_DIR/state" "$SLURM_DIR/spool"
	mkdir -p "$SLURM_DIR/state" "$SLURM_DIR/spool"
	_slurm_conf "$_cp" "$_dp"
	echo "# slurm: $(date +%T.%N | cut -c1-12) try on ports $_cp (slurmctld), $_dp (slurmd)" >>"$SLURM_DIR/start.log"
	env -u SLURM_CONF slurmctld -D -f "$SLURM_CONF" >>"$SLURM_DIR/slurmctld.out" 2>&1 &
	SLURM_CTLD_PID=$!
	env -u SLURM_CONF slurmd -D -N "$SLURM_NODE" -f "$SLURM_CONF" >>"$SLURM_DIR/slurmd.out" 2>&1 &
	SLURMD_PID=$!
	_s_end=$(( $(date +%s) + ${SLURM_START_WAIT:-40} ))
	while :; do
		_slurm_up "$_cp"; _rc=$?
		[ $_rc = 0 ] && return 0
		[ $_rc = 2 ] && break
		[ "$(date +%s)" -ge "$_s_end" ] && break
		sleep 0.2
	done
	echo "# slurm: $(date +%T.%N | cut -c1-12) try failed (slurmctld $(_slurm_alive "$SLURM_CTLD_PID" && echo up || echo dead), slurmd $(_slurm_alive "$SLURMD_PID" && echo up || echo dead))" >>"$SLURM_DIR/start.log"
	_slurm_stop_daemons KILL
	return 1
}

# slurm_start: the cluster, its node idle; skips the script (exit 0) where
# Slurm cannot run here
slurm_start() {
	[ "$(id -u)" = 0 ] || slurm_skip "not root"
	PATH=$PATH:/usr/sbin:/sbin
	for _c in munged slurmctld slurmd sbatch squeue scontrol scancel; do
		command -v "$_c" >/dev/null 2>&1 ||
		    slurm_skip "$_c is not installed (deploy/deps.sh --test)"
	done
	_t0=$(_slurm_ms)
	mkdir -p "$SLURM_DIR"
	SLURM_CONF=$SLURM_DIR/slurm.conf
	export SLURM_CONF
	_slurm_host=$(hostname -s 2>/dev/null || hostname)
	SLURM_NODE=do$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')n
	# a socket's path has 108 bytes at most
	# slurmd 22.05 initializes its cgroup plugin whatever the config
	# says: it cannot start where no cgroup file system is mounted (a
	# chroot such as fresh-debian's)
	grep -q ' /sys/fs/cgroup ' /proc/mounts 2>/dev/null ||
	    slurm_skip "no cgroup file system on /sys/fs/cgroup, which slurmd needs (a chroot?)"
	SLURM_MUNGE_SOCK=$SLURM_DIR/munge.sock
	if [ ${#SLURM_MUNGE_SOCK} -gt 100 ]; then
		SLURM_MUNGE_DIR=$(mktemp -d /tmp/do-munge.XXXXXX)
		SLURM_MUNGE_SOCK=$SLURM_MUNGE_DIR/munge.sock
	fi
	dd if=/dev/urandom of="$SLURM_DIR/munge.key" bs=1024 count=1 2>/dev/null
	chmod 0400 "$SLURM_DIR/munge.key"
	env -u SLURM_CONF munged -F -f --socket="$SLURM_MUNGE_SOCK" \
	    --key-file="$SLURM_DIR/munge.key" --log-file="$SLURM_DIR/munged.log" \
	    --pid-file="$SLURM_DIR/munged.pid" --seed-file="$SLURM_DIR/munged.seed" \
	    >"$SLURM_DIR/munged.out" 2>&1 &
	SLURM_MUNGED_PID=$!
	if ! wait_until 10 test -S "$SLURM_MUNGE_SOCK" ||
	    ! _slurm_alive "$SLURM_MUNGED_PID"; then
		_r=$(tail -n 1 "$SLURM_DIR/munged.out" "$SLURM_DIR/munged.log" 2>/dev/null | grep -v '^==> \|^$' | tail -n 1)
		slurm_stop
		slurm_skip "munged did not start: $_r"
	fi
	for _try in 1 2 3; do
		if _slurm_try; then
			SLURM_START_MS=$(( $(_slurm_ms) - _t0 ))
			return 0
		fi
	done
	# slurmd's first error is the cause; else slurmctld's last one
	_r=$(grep -h -E 'error|fatal' "$SLURM_DIR/slurmd.out" 2>/dev/null | head -n 1)
	[ -n "$_r" ] || _r=$(grep -h -E 'error|fatal' "$SLURM_DIR/slurmctld.out" 2>/dev/null | tail -n 1)
	slurm_logs >&2
	slurm_stop
	slurm_skip "the cluster did not start in 3 tries: ${_r:-node $SLURM_NODE not idle}"
}

# _slurm_stop_daemons [KILL]: slurmctld and slurmd: SIGTERM, 3 s, SIGKILL
# (KILL: SIGKILL at once)
_slurm_stop_daemons() {
	_ps="$SLURM_CTLD_PID $SLURMD_PID"
	[ -n "${_ps# }" ] || return 0
	# shellcheck disable=SC2086
	kill -TERM $_ps 2>/dev/null
	_i=0
	[ "${1:-}" = KILL ] && _i=60
	while [ $_i -lt 60 ]; do
		_alive=""
		for _p in $_ps; do _slurm_alive "$_p" && _alive="$_alive $_p"; done
		[ -z "$_alive" ] && break
		sleep 0.05; _i=$((_i + 1))
	done
	for _p in $_ps; do
		kill -KILL "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	SLURM_CTLD_PID=""; SLURMD_PID=""
}

# _slurm_job_pids: the processes of this cluster's jobs: whatever has
# this SLURM_CONF in its environment (slurmd sets it for slurmstepd,
# sbatch exports it to the job; the daemons start without it), and their
# descendants; not this shell's own children (the workers, this very
# pipeline)
_slurm_job_pids() {
	[ -n "${SLURM_CONF:-}" ] || return 0
	_pat="SLURM_CONF=$SLURM_CONF"
	_seed=$(grep -l -z -x -F "$_pat" /proc/[0-9]*/environ 2>/dev/null |
	    sed 's#^/proc/\([0-9]*\)/environ$#\1#' | tr '\n' ' ')
	[ -n "$_seed" ] || return 0
	ps -e -o pid= -o ppid= | awk -v seed="$_seed" -v self=$$ '
	    function under(set, p, q) {
	        for (q = p; q in par; q = par[q]) if (q in set) return 1
	        return 0 }
	    { par[$1] = $2 }
	    END { own[self] = 1
	          n = split(seed, s, " ")
	          for (i = 1; i <= n; i++) if (s[i] in par && !under(own, s[i])) mine[s[i]] = 1
	          for (p in par) if (!(p in mine) && under(mine, p)) print p
	          for (p in mine) print p }'
}

# slurm_stop: the daemons, every process of the cluster's jobs, munged;
# safe to call again
slurm_stop() {
	_slurm_stop_daemons
	# twice: a step that started while slurmd stopped
	for _k in 1 2; do
		_jp=$(_slurm_job_pids)
		# shellcheck disable=SC2086
		[ -n "$_jp" ] && kill -KILL $_jp 2>/dev/null
	done
	if [ -n "$SLURM_MUNGED_PID" ]; then
		kill -TERM "$SLURM_MUNGED_PID" 2>/dev/null
		_i=0
		while _slurm_alive "$SLURM_MUNGED_PID" && [ $_i -lt 40 ]; do
			sleep 0.05; _i=$((_i + 1))
		done
		kill -KILL "$SLURM_MUNGED_PID" 2>/dev/null
		wait "$SLURM_MUNGED_PID" 2>/dev/null
		SLURM_MUNGED_PID=""
	fi
	[ -n "${SLURM_MUNGE_DIR:-}" ] && rm -rf "$SLURM_MUNGE_DIR"
	SLURM_MUNGE_DIR=""
	return 0
}

# slurm_logs: the daemons' last lines, as "#   " comment lines
slurm_logs() {
	for _f in slurmctld.out slurmd.out munged.log; do
		[ -f "$SLURM_DIR/$_f" ] || continue
		echo "#   --- $_f"
		tail -n 15 "$SLURM_DIR/$_f" | sed 's/^/#   /'
	done
}

# slurm_job_state ID: its JobState (PENDING, RUNNING, COMPLETED, CANCELLED,
# NODE_FAIL...), "gone" if Slurm does not know it (never had it, or it
# ended more than MinJobAge ago); "error" and status 1 if slurmctld did
# not answer
slurm_job_state() {
	_o=$(scontrol show job -o "$1" 2>&1)
	case $_o in
	*"Invalid job id"*) echo gone ;;
	*JobState=*) echo "$_o" | sed -n 's/.* JobState=\([^ ]*\).*/\1/p' | head -n 1 ;;
	*) echo error; return 1 ;;
	esac
}

# slurm_job_field ID FIELD: one field of scontrol show job (Reason,
# ExitCode, NodeList...), empty if the job is gone
slurm_job_field() {
	scontrol show job -o "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# slurm_jobs_named PREFIX: the IDs of the jobs whose name starts with
# PREFIX, in any state Slurm still shows, one a line
slurm_jobs_named() {
	squeue -h -t all -o '%i|%j' 2>/dev/null | sort -n |
	    awk -v p="$1" '{ i = index($0, "|"); if (index(substr($0, i + 1), p) == 1) print substr($0, 1, i - 1) }'
}

# slurm_count_running PREFIX: how many of them are RUNNING
slurm_count_running() {
	squeue -h -t RUNNING -o '%j' 2>/dev/null | awk -v p="$1" 'index($0, p) == 1 { n++ } END { print n + 0 }'
}

# slurm_node_state: the node's State (IDLE, ALLOCATED, MIXED, DOWN,
# DOWN+..., IDLE+DRAIN...)
slurm_node_state() {
	scontrol show node -o "$SLURM_NODE" 2>/dev/null | sed -n 's/.* State=\([^ ]*\).*/\1/p'
}

# slurm_node_down REASON: the node DOWN (its running jobs end NODE_FAIL)
slurm_node_down() {
	scontrol update nodename="$SLURM_NODE" state=down reason="$1"
}

# slurm_node_up: the node back in service
slurm_node_up() {
	scontrol update nodename="$SLURM_NODE" state=resume
}
