#!/usr/bin/env bash
# make soak: interrupt drills at random moments, SOAK_N times per provider,
# and count what each interrupted run left behind.
#
# Each try starts `firedrill run` on SOAK_FEATURES, waits a random time
# (0..SOAK_MAX_DELAY seconds) after the run has started, and then sends, in
# turn, SIGINT, SIGTERM or SIGKILL; after a SIGKILL it runs
# `firedrill cleanup --run <id>`, as the README tells a user to. It then
# counts, for that run id only (other runs on this host, other people's
# stacks, are never looked at or touched):
#   containers  with the label firedrill.run=<id>
#   networks    with the label firedrill.run=<id>
#   processes   with FIREDRILL_RUN=<id> in their environment, or running in
#               the try's own TMPDIR
#   files       anything left in the try's own TMPDIR (the local provider's
#               directory, backups, the monitoring TSDB), and half-written
#               report files (.<name>-*) in its --out
#   unrecovered faults  after SIGINT or SIGTERM: faults injected but never
#               recovered on the result.json timeline (after a SIGKILL the
#               stack itself is removed, which the counts above check)
# and prints one line at the end:
#   soak: 20 tries, leaked: containers 0, networks 0, processes 0, files 0, unrecovered faults 0
# The exit status is 0 only when nothing leaked and every interrupted run
# exited as documented (130 for SIGINT/SIGTERM, or 0/1 when the drill
# finished before the signal).
#
# Variables: SOAK_N (20), SOAK_PROVIDERS ("docker local"), SOAK_MAX_DELAY
# (30: both drills take longer on either provider here), SOAK_FEATURES (two shipped drills with faults that touch services
# and files), SOAK_KEEP=1 keeps each try's directory for reading.
set -uo pipefail

N=${SOAK_N:-20}
PROVIDERS=${SOAK_PROVIDERS:-docker local}
MAX_DELAY=${SOAK_MAX_DELAY:-30}
FEATURES=${SOAK_FEATURES:-features/db_pool_exhaustion.feature features/data_deletion.feature}
BIN=${BIN:-bin}
FD="$BIN/firedrill"

[ -x "$FD" ] && [ -x "$BIN/demoapp" ] || { echo "soak: build first (make build)" >&2; exit 2; }
command -v docker >/dev/null || PROVIDERS=${PROVIDERS//docker/}

work=$(mktemp -d "${TMPDIR:-/tmp}/firedrill-soak.XXXXXX")
chmod 755 "$work" # the local provider's PostgreSQL runs as another user
trap '[ "${SOAK_KEEP:-}" = 1 ] || rm -rf "$work"' EXIT

tries=0 containers=0 networks=0 processes=0 files=0 unrecovered=0 bad=0
signals=(INT TERM KILL)

# leaks prints "containers networks processes" of run id $1, whose
# TMPDIR is $2: processes are found by FIREDRILL_RUN in their environment,
# or, for those that write their titles over it (Redis, PostgreSQL), by
# running in that TMPDIR.
leaks() {
	local id=$1 tmp=$2 c=0 n=0 p=0 d
	if command -v docker >/dev/null; then
		c=$(docker ps -aq --filter "label=firedrill.run=$id" | wc -l)
		n=$(docker network ls -q --filter "label=firedrill.run=$id" | wc -l)
	fi
	for d in /proc/[0-9]*; do
		if grep -qsa "FIREDRILL_RUN=$id" "$d/environ" || [[ "$(readlink "$d/cwd" 2>/dev/null)" == "$tmp"/* ]]; then
			p=$((p + 1))
		fi
	done
	echo "$c $n $p"
}

# unrecovered counts faults injected but not recovered in a result.json.
unrecovered_in() {
	local res=$1
	[ -s "$res" ] || { echo 0; return; }
	if command -v jq >/dev/null; then
		jq '[.drills[]? | ([.timeline[]? | select(.kind == "fault_injected")] | length) -
			([.timeline[]? | select(.kind == "fault_recovered")] | length) | if . > 0 then . else 0 end] | add // 0' "$res"
	else
		local i r
		i=$(grep -o '"kind": *"fault_injected"' "$res" | wc -l)
		r=$(grep -o '"kind": *"fault_recovered"' "$res" | wc -l)
		echo $((i > r ? i - r : 0))
	fi
}

per=""
for provider in $PROVIDERS; do
	for i in $(seq 1 "$N"); do
		sig=${signals[$(((i - 1) % 3))]}
		try="$work/$provider-$i"
		mkdir -p "$try/tmp" "$try/out"
		chmod 755 "$try" "$try/tmp"
		# The try's own TMPDIR: whatever is left in it is the run's.
		# The run is waited on by a subshell of its own, which keeps its exit
		# code (and keeps the shell's "Killed" notice off the output).
		(
			# shellcheck disable=SC2086
			TMPDIR="$try/tmp" "$FD" run $FEATURES --provider "$provider" --out "$try/out" \
				--ack-addr 127.0.0.1:0 >"$try/stdout" 2>"$try/stderr" &
			echo $! >"$try/pid"
			wait $!
			echo $? >"$try/code"
		) 2>/dev/null &
		runner=$!
		until [ -s "$try/pid" ]; do sleep 0.05; done
		pid=$(cat "$try/pid")
		id=""
		for _ in $(seq 1 600); do
			id=$(sed -n 's/^firedrill: run \([^:]*\):.*/\1/p' "$try/stderr" | head -1)
			[ -n "$id" ] || ! kill -0 "$pid" 2>/dev/null && break
			sleep 0.1
		done
		if [ -z "$id" ]; then
			wait "$runner"
			echo "soak: $provider try $i: the run never started (exit $(cat "$try/code")): $(tail -1 "$try/stderr")" >&2
			bad=$((bad + 1))
			continue
		fi
		delay=$(awk -v r="$RANDOM" -v m="$MAX_DELAY" 'BEGIN { printf "%.1f", r / 32767 * m }')
		sleep "$delay"
		kill -s "$sig" "$pid" 2>/dev/null
		# A SIGINT or SIGTERM run recovers, reports and exits by itself.
		for _ in $(seq 1 1800); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		if kill -0 "$pid" 2>/dev/null; then
			echo "soak: $provider try $i: still running 3 minutes after SIG$sig; killing it" >&2
			kill -KILL "$pid" 2>/dev/null
			bad=$((bad + 1))
		fi
		wait "$runner"
		code=$(cat "$try/code")
		case "$sig:$code" in
		KILL:137 | INT:130 | TERM:130 | INT:0 | INT:1 | TERM:0 | TERM:1) ;;
		*)
			echo "soak: $provider try $i: SIG$sig after ${delay}s: exit $code: $(tail -1 "$try/stderr")" >&2
			bad=$((bad + 1))
			;;
		esac
		if [ "$sig" = KILL ]; then
			TMPDIR="$try/tmp" "$FD" cleanup --run "$id" >"$try/cleanup" 2>&1 ||
				{ echo "soak: $provider try $i: cleanup failed: $(tail -1 "$try/cleanup")" >&2; bad=$((bad + 1)); }
		else
			u=$(unrecovered_in "$try/out/result.json")
			unrecovered=$((unrecovered + u))
		fi
		read -r c n p < <(leaks "$id" "$try/tmp")
		f=$(find "$try/tmp" -mindepth 1 -maxdepth 1 | wc -l)
		f=$((f + $(find "$try/out" -name '.*-*' | wc -l)))
		containers=$((containers + c)) networks=$((networks + n)) processes=$((processes + p)) files=$((files + f))
		tries=$((tries + 1))
		echo "soak: $provider try $i: SIG$sig after ${delay}s, exit $code; run $id left containers $c, networks $n, processes $p, files $f"
		# Leave nothing of ours behind, whatever the counts say.
		if [ $((c + n + p)) -gt 0 ]; then TMPDIR="$try/tmp" "$FD" cleanup --run "$id" >/dev/null 2>&1; fi
		[ "${SOAK_KEEP:-}" = 1 ] || rm -rf "$try"
	done
	per="$per${per:+, }$provider $N"
done

echo "soak: $tries tries ($per), leaked: containers $containers, networks $networks, processes $processes, files $files, unrecovered faults $unrecovered"
[ $((containers + networks + processes + files + unrecovered + bad)) -eq 0 ]
