#!/usr/bin/env bash
# Starts the servers Mosaic's tests talk to, if they are not already
# answering, and writes their URLs to an env file for the test run:
#
#   scripts/start-services.sh [ENV_FILE]      (default .cache/services.env)
#   set -a; . .cache/services.env; set +a     (then go test ./...)
#
# PostgreSQL: the machine's cluster (pg_ctlcluster) when there is one, else
# a throwaway cluster made with initdb in a temporary directory on a free
# port (kept there for later runs: $MOSAIC_PG_DIR, default
# /tmp/mosaic-pg-$UID). NATS with JetStream on 127.0.0.1:4222: the
# machine's nats-server. When neither binary exists and apt-get does, the
# Debian package is installed (set MOSAIC_NO_INSTALL=1 to forbid that).
#
# Idempotent and quick when everything already runs (two probes). Never
# stops anything. MOSAIC_PG_LOCAL=1 always uses the throwaway cluster;
# MOSAIC_NATS_PORT (default 4222) moves NATS to another port.
set -euo pipefail

env_file=${1:-.cache/services.env}
pg_url_default="postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
nats_port=${MOSAIC_NATS_PORT:-4222}
nats_url_default="nats://127.0.0.1:$nats_port"

log() { printf 'start-services: %s\n' "$*" >&2; }

# tcp_open HOST PORT: something accepts connections there.
tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# pg_answers URL-HOST PORT: a PostgreSQL server accepts connections.
pg_answers() {
	if command -v pg_isready >/dev/null; then
		pg_isready -q -h "$1" -p "$2" -t 3
	else
		tcp_open "$1" "$2"
	fi
}

# nats_answers PORT: a NATS server with JetStream greets us on the port.
nats_answers() {
	(
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		IFS= read -r -t 3 line <&3 || exit 1
		[[ $line == INFO* && $line == *'"jetstream":true'* ]]
	) 2>/dev/null
}

wait_for() { # wait_for SECONDS COMMAND...
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.2
	done
}

apt_install() {
	[[ ${MOSAIC_NO_INSTALL:-} == 1 ]] && return 1
	command -v apt-get >/dev/null && [[ $(id -u) == 0 ]] || return 1
	log "installing $* from Debian's packages"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null; }
}

pg_bindir() {
	local d
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		[[ -x $d/initdb ]] && { echo "$d"; return 0; }
	done
	command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return 0; }
	return 1
}

free_port() {
	local p
	for p in $(seq 55432 55532); do
		tcp_open 127.0.0.1 "$p" || { echo "$p"; return 0; }
	done
	return 1
}

# start_local_pg: a cluster of our own under $MOSAIC_PG_DIR; prints its URL.
start_local_pg() {
	local bin dir port owner
	bin=$(pg_bindir) || return 1
	dir=${MOSAIC_PG_DIR:-/tmp/mosaic-pg-$(id -u)}
	owner=$(id -un)
	run() { "$@"; }
	if [[ $(id -u) == 0 ]]; then # PostgreSQL refuses to run as root
		owner=postgres
		id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
		run() { runuser -u postgres -- "$@"; }
	fi
	if [[ -f $dir/port ]] && pg_answers 127.0.0.1 "$(cat "$dir/port")"; then
		echo "postgres://postgres@127.0.0.1:$(cat "$dir/port")/postgres?sslmode=disable"
		return 0
	fi
	mkdir -p "$dir"
	chown "$owner" "$dir"
	if [[ ! -f $dir/data/PG_VERSION ]]; then
		log "initdb of a local cluster in $dir/data"
		run "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
			run "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1
	fi
	port=$(free_port) || return 1
	echo "$port" >"$dir/port"
	log "starting the local cluster on 127.0.0.1:$port"
	run "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
		-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null
	wait_for 30 pg_answers 127.0.0.1 "$port" || return 1
	echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
}

start_postgres() {
	local url=${MOSAIC_POSTGRES_URL:-}
	if [[ -n $url ]]; then # given: use it as it is
		echo "$url"
		return 0
	fi
	if [[ ${MOSAIC_PG_LOCAL:-} == 1 ]]; then
		start_local_pg
		return
	fi
	if pg_answers 127.0.0.1 5432; then
		echo "$pg_url_default"
		return 0
	fi
	if ! command -v pg_ctlcluster >/dev/null && ! pg_bindir >/dev/null; then
		apt_install postgresql postgresql-contrib || true
	fi
	if command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]] && [[ -n $(ls /etc/postgresql) ]]; then
		local v
		v=$(ls /etc/postgresql | sort -V | tail -1)
		log "starting PostgreSQL $v (pg_ctlcluster)"
		pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || true
		if wait_for 30 pg_answers 127.0.0.1 5432; then
			echo "$pg_url_default"
			return 0
		fi
		log "the machine's cluster did not answer on 5432; making a local one"
	fi
	start_local_pg
}

start_nats() {
	local url=${MOSAIC_NATS_URL:-}
	if [[ -n $url ]]; then
		echo "$url"
		return 0
	fi
	if nats_answers "$nats_port"; then
		echo "$nats_url_default"
		return 0
	fi
	if tcp_open 127.0.0.1 "$nats_port"; then
		log "something answers on 127.0.0.1:$nats_port but not NATS with JetStream"
		return 1
	fi
	[[ -x /usr/sbin/nats-server ]] || command -v nats-server >/dev/null || apt_install nats-server || true
	local bin
	bin=$(command -v nats-server || echo /usr/sbin/nats-server)
	[[ -x $bin ]] || { log "no nats-server binary"; return 1; }
	log "starting nats-server with JetStream on 127.0.0.1:$nats_port"
	local sd=/var/lib/nats-server logf=/var/log/nats-server.log
	local ssd=(--start --oknodo --background --exec "$bin")
	if [[ $nats_port != 4222 ]] || ! mkdir -p "$sd" 2>/dev/null || [[ ! -w $sd ]]; then
		# Not the machine's service: a store and a pid file of its own.
		sd=${TMPDIR:-/tmp}/mosaic-nats-$(id -u)-$nats_port
		logf=$sd.log
		mkdir -p "$sd"
		ssd+=(--pidfile "$sd.pid" --make-pidfile)
	fi
	if command -v start-stop-daemon >/dev/null; then
		start-stop-daemon "${ssd[@]}" -- -a 127.0.0.1 -p "$nats_port" -js -sd "$sd" -l "$logf"
	else
		nohup "$bin" -a 127.0.0.1 -p "$nats_port" -js -sd "$sd" -l "$logf" >/dev/null 2>&1 &
	fi
	wait_for 30 nats_answers "$nats_port" || { log "nats-server did not come up (see $logf)"; return 1; }
	echo "$nats_url_default"
}

status=0
pg=$(start_postgres) || { log "PostgreSQL is not available"; status=1; pg=""; }
nats=$(start_nats) || { log "NATS JetStream is not available"; status=1; nats=""; }

mkdir -p "$(dirname "$env_file")"
{
	if [[ -n $pg ]]; then echo "MOSAIC_POSTGRES_URL=$pg"; fi
	if [[ -n $nats ]]; then echo "MOSAIC_NATS_URL=$nats"; fi
} >"$env_file.tmp"
mv "$env_file.tmp" "$env_file"
log "PostgreSQL ${pg:-missing}, NATS ${nats:-missing} (written to $env_file)"
exit $status
