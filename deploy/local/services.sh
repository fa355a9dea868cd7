#!/usr/bin/env bash
# deploy/local/services.sh — local development services for the LMS.
#
# Usage:
#   deploy/local/services.sh up      ensure PostgreSQL + S3 are reachable, write .data/env
#   deploy/local/services.sh down    stop what `up` started (private PG cluster, versitygw)
#   deploy/local/services.sh env     print .data/env (runs `up` first if it is missing)
#   deploy/local/services.sh status  show what is configured / running
#
# Everything lives under <repo>/.data/. The env file contains `export NAME='value'`
# lines meant to be sourced (e.g. by the Makefile).
#
# PostgreSQL, first match wins:
#   1. LMS_DATABASE_URL set           -> user-managed; passed through, nothing started.
#   2. LMS_ADMIN_DATABASE_URL works   -> used as is.
#   3. superuser postgres@127.0.0.1:5432 (trust) answers -> used.
#   4. private cluster in .data/pg on 127.0.0.1:${LMS_LOCAL_PG_PORT:-55432}.
#   LMS_LOCAL_PG=private skips 2 and 3.
# S3, first match wins:
#   1. LMS_S3_ENDPOINT set            -> user-managed; passed through.
#   2. versitygw (posix backend, data in .data/s3) on 127.0.0.1:${LMS_LOCAL_S3_PORT:-7070}.
#
# Mail (the app sends school communications by SMTP):
#   1. LMS_SMTP_ADDR set              -> user-managed; passed through.
#   2. Mailpit, a local mail catcher, SMTP on 127.0.0.1:${LMS_LOCAL_SMTP_PORT:-1025}
#      and its web UI and API on the next port up (tests read mail there).
#
# Identity providers for the sign-in tests (OpenID Connect and SAML 2.0), built
# from deploy/local/idp (its own go.mod pins them) into .data/bin, in-memory:
#   ORY Hydra (OpenID provider)  public 127.0.0.1:${LMS_LOCAL_IDP_PORT:-4444}, admin the next port,
#   directory (Hydra's login and consent app, the "school directory") the port after,
#   crewjam/saml samlidp (SAML IdP) the port after that. Four free ports in a row
#   are looked for upwards if those are taken.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DATA="$ROOT/.data"
ENV_FILE="$DATA/env"
LOCK_FILE="$DATA/services.lock"

PG_PORT="${LMS_LOCAL_PG_PORT:-55432}"
PG_DIR="$DATA/pg"
PG_LOG="$DATA/pg.log"
PG_SOCK_DIR="$DATA/pg-run"
PG_PRIVATE_URL="postgres://postgres@127.0.0.1:${PG_PORT}/postgres?sslmode=disable"
PG_SYSTEM_URL='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'

VGW_MODULE='github.com/versity/versitygw'
VGW_VERSION='v1.8.0'
S3_PORT="${LMS_LOCAL_S3_PORT:-7070}"
S3_ENDPOINT="http://127.0.0.1:${S3_PORT}"
S3_REGION='eu-west-2'
S3_ACCESS_KEY='lmsdev'
S3_SECRET_KEY='lmsdev-secret-key'
S3_DIR="$DATA/s3"
S3_BIN="$DATA/bin/versitygw"
S3_PID="$DATA/s3.pid"
S3_PORT_FILE="$DATA/s3.port"
S3_LOG="$DATA/s3.log"

MAIL_MODULE='github.com/axllent/mailpit'
MAIL_VERSION='v1.33.1'
MAIL_PORT="${LMS_LOCAL_SMTP_PORT:-1025}"
MAIL_BIN="$DATA/bin/mailpit"
MAIL_PID="$DATA/mail.pid"
MAIL_PORT_FILE="$DATA/mail.port"
MAIL_LOG="$DATA/mail.log"

IDP_SRC="$ROOT/deploy/local/idp"
IDP_HYDRA_VERSION='v2.3.0'   # keep in step with deploy/local/idp/go.mod
IDP_SAML_VERSION='v0.6.3'    # crewjam/saml, likewise
IDP_PORT="${LMS_LOCAL_IDP_PORT:-4444}"
IDP_PORT_FILE="$DATA/idp.port"
IDP_NAMES=(hydra directory samlidp)

WAIT_SECONDS=30

log() { printf 'services: %s\n' "$*" >&2; }
die() { printf 'services: ERROR: %s\n' "$*" >&2; exit 1; }

# Single-quote a value for `export NAME='value'`.
shq() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }

# Hide passwords in URLs for human output.
redact() { sed -E 's#(://[^:/@]+:)[^@/]*@#\1***@#' <<<"$1"; }

is_root() { [[ $(id -u) -eq 0 ]]; }

# Close every fd above 2 in the current (sub)shell, so daemons we launch do not
# keep the lock or a caller's pipe (e.g. a `$(...)` in the Makefile) open.
close_extra_fds() {
	local fd
	for fd in "/proc/$BASHPID/fd"/*; do
		fd=${fd##*/}
		[[ $fd =~ ^[0-9]+$ ]] && ((fd > 2)) && eval "exec $fd>&-" 2>/dev/null
	done
	return 0
}

# alive PID — process exists and is not a zombie.
alive() {
	kill -0 "$1" 2>/dev/null || return 1
	! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

valid_port() { [[ $1 =~ ^[0-9]+$ ]] && (( $1 > 0 && $1 < 65536 )); }

# ---------------------------------------------------------------------------
# generic helpers

lock() {
	mkdir -p "$DATA"
	# Keep .data out of git even if the repo's .gitignore does not mention it.
	[[ -f $DATA/.gitignore ]] || printf '*\n' >"$DATA/.gitignore"
	exec 9>>"$LOCK_FILE"
	if ! flock -w 900 9; then
		die "timed out waiting for $LOCK_FILE (another services.sh is running?)"
	fi
}

# apt_install PKG... — install Debian packages (root, or passwordless sudo).
apt_install() {
	local -a sudo=()
	if ! is_root; then
		if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
			sudo=(sudo -n)
		else
			die "need to install '$*' but not root and no passwordless sudo; install it manually (apt-get install $*)"
		fi
	fi
	command -v apt-get >/dev/null || die "need '$*' but apt-get is not available; install it manually"
	log "installing $* via apt-get (this may take a minute)..."
	# fd 9 (the lock) must not leak into daemons started by package scripts.
	if ! "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq 9>&- >&2 ||
		! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
			apt-get -o DPkg::Lock::Timeout=300 install -y -qq "$@" 9>&- >&2; then
		die "apt-get install $* failed"
	fi
}

ensure_psql() {
	command -v psql >/dev/null && return 0
	apt_install postgresql-client
	command -v psql >/dev/null || die "psql still missing after installing postgresql-client"
}

# pg_query PSQL URL SQL — prints the result (unaligned, tuples only) or fails.
pg_query() {
	PGCONNECT_TIMEOUT=5 "$1" -X -w -q -At -d "$2" -c "$3" 2>/dev/null
}

# can_connect PORT — is something accepting TCP connections on 127.0.0.1:PORT?
can_connect() {
	# shellcheck disable=SC2016 # $1 is expanded by the inner bash
	timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# http_answers PORT — does 127.0.0.1:PORT give any HTTP answer?
http_answers() {
	if command -v curl >/dev/null; then
		local code
		code=$(curl -s -o /dev/null -m 3 -w '%{http_code}' "http://127.0.0.1:$1/" 2>/dev/null) || true
		[[ -n $code && $code != 000 ]]
	else
		# shellcheck disable=SC2016 # expanded by the inner bash
		timeout 3 bash -c '
			exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
			printf "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3
			IFS= read -r line <&3 && [[ $line == HTTP/* ]]' _ "$1" 2>/dev/null
	fi
}

# Previous env file: which mode wrote it, and a value it wrote.
prev_mode() { [[ -f $ENV_FILE ]] && sed -n "s/^# $1: \([a-z]*\).*/\1/p" "$ENV_FILE" | head -n1; return 0; }
prev_value() { [[ -f $ENV_FILE ]] && sed -n "s/^export $1='\(.*\)'\$/\1/p" "$ENV_FILE" | head -n1; return 0; }

# True if variable NAME is set in the environment only because someone sourced
# our own env file for a service we manage (then it is not a user override).
from_our_env_file() { # NAME SERVICE MODE...
	local name=$1 svc=$2 mode
	shift 2
	mode=$(prev_mode "$svc")
	[[ -n $mode && ${!name-} == "$(prev_value "$name")" ]] || return 1
	local m
	for m in "$@"; do [[ $mode == "$m" ]] && return 0; done
	return 1
}

# ---------------------------------------------------------------------------
# PostgreSQL

PG_MODE=''    # external | admin | system | private
PG_SUMMARY=''
declare -a PG_ENV=()

pg_highest_bindir() {
	local d best=''
	for d in /usr/lib/postgresql/*/bin; do
		[[ -x $d/initdb && -x $d/pg_ctl ]] || continue
		if [[ -z $best ]] || [[ $(basename "$(dirname "$d")") -gt $(basename "$(dirname "$best")") ]] 2>/dev/null; then
			best=$d
		fi
	done
	[[ -n $best ]] && printf '%s\n' "$best"
}

# Run a command as the owner of the private cluster (postgres when we are root).
PG_RUNAS=()
pg_setup_runas() {
	PG_RUNAS=()
	is_root || return 0
	local owner=postgres
	if [[ -d $PG_DIR ]]; then owner=$(stat -c %U "$PG_DIR"); fi
	if [[ $owner == postgres ]] && ! id postgres >/dev/null 2>&1; then
		log "creating system user 'postgres'"
		useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
			--shell /usr/sbin/nologin postgres || die "could not create system user postgres"
	fi
	[[ $owner == root ]] && die "$PG_DIR is owned by root; PostgreSQL cannot run as root. Remove it (deploy/local/services.sh down && rm -rf $PG_DIR)"
	PG_RUNAS=(runuser -u "$owner" --)
	if ! "${PG_RUNAS[@]}" test -x "$DATA" 2>/dev/null; then
		die "user '$owner' cannot reach $DATA (a parent directory is not world-searchable); chmod o+x the parents or set LMS_ADMIN_DATABASE_URL / LMS_DATABASE_URL"
	fi
}

pg_run() { (close_extra_fds && cd / && exec "${PG_RUNAS[@]}" "$@"); }

pg_chown() {
	is_root || return 0
	chown "${PG_RUNAS[2]}:" "$@"
}

# Port the running private cluster listens on (from postmaster.pid), if running.
pg_private_running_port() {
	local bindir=$1 pid port
	pg_run "$bindir/pg_ctl" -D "$PG_DIR" status >/dev/null 2>&1 || return 1
	pid=$(sed -n 1p "$PG_DIR/postmaster.pid" 2>/dev/null) || return 1
	port=$(sed -n 4p "$PG_DIR/postmaster.pid" 2>/dev/null) || return 1
	# A killed postmaster that nobody reaped (containers without a real init)
	# still "exists" for kill -0, which blocks a restart: clear its lock files.
	if [[ $pid =~ ^[0-9]+$ ]] && grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null; then
		log "private PostgreSQL (pid $pid) is dead (zombie); removing its stale lock files"
		rm -f "$PG_DIR/postmaster.pid" "$PG_SOCK_DIR/.s.PGSQL.$port" "$PG_SOCK_DIR/.s.PGSQL.$port.lock"
		return 1
	fi
	printf '%s\n' "$port"
}

pg_private_bindir() {
	local bindir ver
	if [[ -f $PG_DIR/PG_VERSION ]]; then
		ver=$(<"$PG_DIR/PG_VERSION")
		bindir=/usr/lib/postgresql/$ver/bin
		if [[ ! -x $bindir/pg_ctl ]]; then
			[[ ${1-} == install ]] || return 1
			apt_install "postgresql-$ver"
			[[ -x $bindir/pg_ctl ]] || die "$PG_DIR was created by PostgreSQL $ver but $bindir/pg_ctl is missing; install postgresql-$ver or remove $PG_DIR"
		fi
	else
		bindir=$(pg_highest_bindir) || true
		if [[ -z $bindir ]]; then
			[[ ${1-} == install ]] || return 1
			apt_install postgresql
			bindir=$(pg_highest_bindir) || die "no /usr/lib/postgresql/*/bin/initdb after installing postgresql"
		fi
	fi
	printf '%s\n' "$bindir"
}

pg_port_taken() {
	die "port $PG_PORT on 127.0.0.1 is in use by something else; set LMS_LOCAL_PG_PORT to a free port"
}

pg_private_up() {
	valid_port "$PG_PORT" || die "LMS_LOCAL_PG_PORT='$PG_PORT' is not a valid port"
	local bindir
	bindir=$(pg_private_bindir install)
	pg_setup_runas

	touch "$PG_LOG"
	pg_chown "$PG_LOG"

	if [[ ! -f $PG_DIR/PG_VERSION ]]; then
		[[ -e $PG_DIR ]] && die "$PG_DIR exists but is not a PostgreSQL data directory; remove it"
		local tmp="$DATA/pg.initdb.tmp" locale=C
		if locale -a 2>/dev/null | grep -qix 'c\.utf-\{0,1\}8'; then locale=C.UTF-8; fi
		rm -rf "$tmp"
		mkdir -m 700 "$tmp"
		pg_chown "$tmp"
		log "initialising private PostgreSQL cluster in $PG_DIR ($bindir)"
		local -a extra=()
		"$bindir/initdb" --help 2>/dev/null | grep -q -- --no-instructions && extra=(--no-instructions)
		if ! pg_run "$bindir/initdb" -D "$tmp" -U postgres --auth=trust -E UTF8 \
			--locale="$locale" "${extra[@]}" >>"$PG_LOG" 2>&1; then
			tail -n 20 "$PG_LOG" >&2 || true
			die "initdb failed (log: $PG_LOG)"
		fi
		printf "\n# Local overrides written by deploy/local/services.sh\ninclude_if_exists = 'lms_local.conf'\n" \
			>>"$tmp/postgresql.conf"
		mv "$tmp" "$PG_DIR"
	fi

	# Settings that may change between runs (port) live in their own file.
	local sock=$PG_SOCK_DIR
	mkdir -p "$PG_SOCK_DIR"
	pg_chown "$PG_SOCK_DIR"
	# Unix socket paths are limited to 107 bytes; fall back to TCP only.
	if (( ${#PG_SOCK_DIR} + ${#PG_PORT} + 12 > 107 )); then sock=''; fi
	cat >"$PG_DIR/lms_local.conf" <<-EOF
		# Managed by deploy/local/services.sh; rewritten on every 'up'.
		listen_addresses = '127.0.0.1'
		port = $PG_PORT
		unix_socket_directories = '${sock//\'/\'\'}'
		synchronous_commit = off
	EOF
	pg_chown "$PG_DIR/lms_local.conf"

	local running_port
	if running_port=$(pg_private_running_port "$bindir"); then
		if [[ $running_port == "$PG_PORT" ]]; then
			PG_SUMMARY="private cluster $PG_DIR on 127.0.0.1:$PG_PORT (already running)"
		else
			can_connect "$PG_PORT" && pg_port_taken
			log "private cluster runs on port $running_port, restarting on $PG_PORT"
			pg_run "$bindir/pg_ctl" -D "$PG_DIR" -m fast -w -t "$WAIT_SECONDS" -s stop >>"$PG_LOG" 2>&1 ||
				die "could not stop private cluster (log: $PG_LOG)"
			running_port=''
		fi
	else
		running_port=''
	fi
	if [[ -z $running_port ]]; then
		can_connect "$PG_PORT" && pg_port_taken
		log "starting private PostgreSQL on 127.0.0.1:$PG_PORT (log: $PG_LOG)"
		if ! pg_run "$bindir/pg_ctl" -D "$PG_DIR" -l "$PG_LOG" -w -t "$WAIT_SECONDS" -s start >/dev/null 2>&1; then
			tail -n 20 "$PG_LOG" >&2 || true
			die "private PostgreSQL did not start within ${WAIT_SECONDS}s (log: $PG_LOG)"
		fi
		PG_SUMMARY="private cluster $PG_DIR on 127.0.0.1:$PG_PORT (started)"
	fi

	local psql=$bindir/psql i
	[[ -x $psql ]] || { ensure_psql; psql=psql; }
	for ((i = 0; i < WAIT_SECONDS * 2; i++)); do
		if [[ $(pg_query "$psql" "$PG_PRIVATE_URL" 'select rolsuper from pg_roles where rolname=current_user') == t ]]; then
			PG_MODE='private'
			PG_ENV=(LMS_ADMIN_DATABASE_URL "$PG_PRIVATE_URL")
			return 0
		fi
		sleep 0.5
	done
	die "private PostgreSQL is running but $PG_PRIVATE_URL does not accept superuser connections (log: $PG_LOG)"
}

pg_up() {
	local forced=${LMS_LOCAL_PG-}
	case $forced in
	'' | auto | private) ;;
	*) die "LMS_LOCAL_PG must be empty, 'auto' or 'private' (got '$forced')" ;;
	esac

	# 1. User-managed database.
	if [[ -n ${LMS_DATABASE_URL-} ]]; then
		PG_MODE='external'
		PG_ENV=(LMS_DATABASE_URL "$LMS_DATABASE_URL")
		local v
		for v in LMS_MIGRATE_DATABASE_URL LMS_ADMIN_DATABASE_URL; do
			[[ -n ${!v-} ]] && PG_ENV+=("$v" "${!v}")
		done
		PG_SUMMARY="user-managed LMS_DATABASE_URL=$(redact "$LMS_DATABASE_URL") (nothing started)"
		return 0
	fi

	if [[ $forced != private ]]; then
		# 2. Admin URL given by the user (ignored if it only came from sourcing our env file).
		local admin=${LMS_ADMIN_DATABASE_URL-}
		if [[ -n $admin ]] && from_our_env_file LMS_ADMIN_DATABASE_URL pg system private; then
			admin=''
		fi
		if [[ -n $admin ]]; then
			ensure_psql
			if [[ $(pg_query psql "$admin" 'select 1') == 1 ]]; then
				PG_MODE='admin'
				PG_ENV=(LMS_ADMIN_DATABASE_URL "$admin")
				PG_SUMMARY="LMS_ADMIN_DATABASE_URL=$(redact "$admin") (from environment)"
				return 0
			fi
			log "LMS_ADMIN_DATABASE_URL=$(redact "$admin") does not answer; trying other options"
		fi

		# 3. System PostgreSQL on 5432 with trust auth for postgres.
		if can_connect 5432; then
			ensure_psql
			if [[ $(pg_query psql "$PG_SYSTEM_URL" 'select rolsuper from pg_roles where rolname=current_user') == t ]]; then
				PG_MODE='system'
				PG_ENV=(LMS_ADMIN_DATABASE_URL "$PG_SYSTEM_URL")
				PG_SUMMARY="system PostgreSQL on 127.0.0.1:5432 as superuser postgres (not managed by this script)"
				return 0
			fi
			log "something listens on 127.0.0.1:5432 but postgres@ without password is not a superuser there; using a private cluster"
		fi
	fi

	# 4. Private cluster.
	pg_private_up
}

pg_down() {
	[[ -f $PG_DIR/PG_VERSION ]] || return 0
	local bindir
	if ! bindir=$(pg_private_bindir); then
		log "cannot find PostgreSQL $(<"$PG_DIR/PG_VERSION") binaries; not stopping $PG_DIR"
		return 0
	fi
	pg_setup_runas
	if pg_run "$bindir/pg_ctl" -D "$PG_DIR" status >/dev/null 2>&1; then
		log "stopping private PostgreSQL ($PG_DIR)"
		pg_run "$bindir/pg_ctl" -D "$PG_DIR" -m fast -w -t "$WAIT_SECONDS" -s stop >>"$PG_LOG" 2>&1 ||
			die "pg_ctl stop failed (log: $PG_LOG)"
	fi
}

# ---------------------------------------------------------------------------
# S3 (versitygw)

S3_MODE=''    # external | versitygw
S3_SUMMARY=''
declare -a S3_ENV=()

# PID of our versitygw if it is alive, else fail.
s3_our_pid() {
	[[ -f $S3_PID ]] || return 1
	local pid
	pid=$(<"$S3_PID")
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	alive "$pid" || return 1
	# Guard against PID reuse.
	if [[ -r /proc/$pid/cmdline ]]; then
		{ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -q versitygw || return 1
	fi
	printf '%s\n' "$pid"
}

# Adopt a versitygw serving our data dir whose pid file got lost.
s3_adopt_orphan() {
	[[ -d /proc ]] || return 1
	local f pid cmd
	local -a args
	for f in /proc/[0-9]*/cmdline; do
		args=()
		{ mapfile -d '' -t args <"$f"; } 2>/dev/null || continue
		[[ ${args[0]-} == "$S3_BIN" ]] || continue
		cmd="${args[*]} "
		[[ $cmd == *" $S3_DIR/root "* ]] || continue
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		log "found versitygw for $S3_DIR without a valid pid file (pid $pid); adopting it"
		printf '%s\n' "$pid" >"$S3_PID"
		sed -n 's/.* --port 127\.0\.0\.1:\([0-9]*\) .*/\1/p' <<<"$cmd" >"$S3_PORT_FILE"
		return 0
	done
	return 1
}

s3_stop() {
	local pid i
	if ! s3_our_pid >/dev/null; then s3_adopt_orphan || true; fi
	if pid=$(s3_our_pid); then
		log "stopping versitygw (pid $pid)"
		kill "$pid" 2>/dev/null || true
		for ((i = 0; i < 40; i++)); do
			alive "$pid" || break
			sleep 0.25
		done
		if alive "$pid"; then
			log "versitygw did not exit, sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	rm -f "$S3_PID" "$S3_PORT_FILE"
}

go_bin() {
	if command -v go >/dev/null; then command -v go
	elif [[ -x /usr/local/go/bin/go ]]; then printf '/usr/local/go/bin/go\n'
	else return 1; fi
}

# vgw_version BIN — module version baked into a versitygw binary (needs go).
# Go commands run from / so the repo's go.mod (toolchain line) plays no part.
vgw_version() {
	local go
	go=$(go_bin) || return 1
	(cd / && "$go" version -m "$1") 2>/dev/null | awk -v m="$VGW_MODULE" '$1 == "mod" && $2 == m { print $3; exit }'
}

s3_ensure_binary() {
	local go
	if [[ -x $S3_BIN ]]; then
		# Without a Go toolchain the version cannot be checked; trust the binary.
		go_bin >/dev/null || return 0
		local have
		have=$(vgw_version "$S3_BIN" || true)
		[[ $have == "$VGW_VERSION" ]] && return 0
		log "$S3_BIN is not versitygw $VGW_VERSION (found: ${have:-unknown}); rebuilding"
	fi
	go=$(go_bin) || die "versitygw is not built yet and no Go toolchain was found (need 'go' in PATH)"
	mkdir -p "$DATA/bin"

	# Reuse a binary from GOPATH/bin if it is exactly the version we want.
	local gopath_bin
	gopath_bin="$(cd / && "$go" env GOPATH 2>/dev/null | cut -d: -f1)/bin/versitygw"
	if [[ -x $gopath_bin && $(vgw_version "$gopath_bin") == "$VGW_VERSION" ]]; then
		log "using cached $gopath_bin ($VGW_VERSION)"
		cp -f "$gopath_bin" "$S3_BIN.tmp" && mv -f "$S3_BIN.tmp" "$S3_BIN"
		return 0
	fi

	log "building versitygw $VGW_VERSION into $DATA/bin (go install; ~90s on a cold cache)..."
	local start=$SECONDS
	# Run outside the repo so its go.mod/go.work cannot interfere.
	if ! (cd / && GOBIN="$DATA/bin" GOFLAGS=-mod=mod GOWORK=off \
		"$go" install "$VGW_MODULE/cmd/versitygw@$VGW_VERSION" 9>&- >&2); then
		die "go install $VGW_MODULE/cmd/versitygw@$VGW_VERSION failed"
	fi
	[[ -x $S3_BIN ]] || die "go install succeeded but $S3_BIN is missing"
	log "built versitygw in $((SECONDS - start))s"
}

# s3_start META_ARGS... — launch versitygw in the background, record its pid.
s3_start() {
	local -a unset_vgw=()
	local v
	# VGW_* variables would silently change the gateway's configuration.
	for v in $(compgen -e | grep -E '^(VGW_|ROOT_ACCESS_KEY|ROOT_SECRET)' || true); do unset_vgw+=(-u "$v"); done
	{
		printf '\n==== %s services.sh: starting versitygw on 127.0.0.1:%s %s\n' "$(date -Is)" "$S3_PORT" "$*"
	} >>"$S3_LOG"
	(
		close_extra_fds
		cd "$S3_DIR"
		exec setsid nohup env "${unset_vgw[@]}" "$S3_BIN" \
			--access "$S3_ACCESS_KEY" --secret "$S3_SECRET_KEY" --region "$S3_REGION" \
			--port "127.0.0.1:$S3_PORT" --quiet \
			posix --versioning-dir "$S3_DIR/versions" "$@" "$S3_DIR/root" \
			>>"$S3_LOG" 2>&1 </dev/null 9>&-
	) &
	printf '%s\n' "$!" >"$S3_PID"
	printf '%s\n' "$S3_PORT" >"$S3_PORT_FILE"
}

# s3_set_port PORT — point everything at PORT.
s3_set_port() {
	S3_PORT=$1
	S3_ENDPOINT="http://127.0.0.1:${S3_PORT}"
	S3_ENV=(LMS_S3_ENDPOINT "$S3_ENDPOINT" LMS_S3_REGION "$S3_REGION"
		LMS_S3_ACCESS_KEY "$S3_ACCESS_KEY" LMS_S3_SECRET_KEY "$S3_SECRET_KEY")
}

# s3_port_taken — the port is held by a process this checkout did not start
# (typically another checkout's versitygw, e.g. CI's fresh clone beside a
# developer's tree). If it is an S3 server that accepts the dev credentials
# and region, use it: tests make and remove their own buckets. Otherwise move
# to the next free port. Returns 0 when the server was adopted as is.
s3_port_taken() {
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --aws-sigv4 "aws:amz:$S3_REGION:s3" \
		--user "$S3_ACCESS_KEY:$S3_SECRET_KEY" "$S3_ENDPOINT/" 2>/dev/null || true)
	if [[ $code == 200 ]]; then
		S3_SUMMARY="S3 server at $S3_ENDPOINT accepting the dev credentials (not started by this checkout; reused)"
		return 0
	fi
	[[ -n ${LMS_LOCAL_S3_PORT-} ]] && die "port $S3_PORT on 127.0.0.1 (LMS_LOCAL_S3_PORT) is in use by something that is not an S3 server with the dev credentials; choose another port"
	local p
	for ((p = S3_PORT + 1; p < S3_PORT + 50; p++)); do
		if ! can_connect "$p"; then
			log "port $S3_PORT is in use by something else; using port $p"
			s3_set_port "$p"
			return 1
		fi
	done
	die "no free port from $S3_PORT to $((S3_PORT + 49)) on 127.0.0.1; set LMS_LOCAL_S3_PORT or LMS_S3_ENDPOINT"
}

s3_up() {
	# 1. User-managed S3 (ignored if it only came from sourcing our env file).
	if [[ -n ${LMS_S3_ENDPOINT-} ]] && ! from_our_env_file LMS_S3_ENDPOINT s3 versitygw; then
		S3_MODE='external'
		S3_ENV=(LMS_S3_ENDPOINT "$LMS_S3_ENDPOINT")
		local v
		for v in LMS_S3_REGION LMS_S3_ACCESS_KEY LMS_S3_SECRET_KEY; do
			[[ -n ${!v-} ]] && S3_ENV+=("$v" "${!v}")
		done
		S3_SUMMARY="user-managed LMS_S3_ENDPOINT=$LMS_S3_ENDPOINT (nothing started)"
		return 0
	fi

	# 2. Our versitygw.
	valid_port "$S3_PORT" || die "LMS_LOCAL_S3_PORT='$S3_PORT' is not a valid port"
	S3_MODE='versitygw'
	# Our server may have moved to another port earlier (see s3_port_taken).
	if [[ -z ${LMS_LOCAL_S3_PORT-} && -f $S3_PORT_FILE ]] && s3_our_pid >/dev/null; then
		s3_set_port "$(<"$S3_PORT_FILE")"
	else
		s3_set_port "$S3_PORT"
	fi

	local pid
	if ! s3_our_pid >/dev/null; then s3_adopt_orphan || true; fi
	if pid=$(s3_our_pid); then
		if [[ $(cat "$S3_PORT_FILE" 2>/dev/null) == "$S3_PORT" ]] && http_answers "$S3_PORT"; then
			S3_SUMMARY="versitygw $VGW_VERSION at $S3_ENDPOINT (already running, pid $pid)"
			return 0
		fi
		if [[ $(cat "$S3_PORT_FILE" 2>/dev/null) != "$S3_PORT" ]] && can_connect "$S3_PORT"; then
			s3_port_taken && return 0
		fi
		log "our versitygw (pid $pid) is not answering on port $S3_PORT; restarting it"
		s3_stop
	else
		rm -f "$S3_PID" "$S3_PORT_FILE"
	fi

	if can_connect "$S3_PORT"; then s3_port_taken && return 0; fi

	s3_ensure_binary
	mkdir -p "$S3_DIR/root" "$S3_DIR/versions"

	# Metadata goes to xattrs unless the filesystem lacks them; then a sidecar
	# directory is used (and kept once chosen, since the data depends on it).
	local -a meta=()
	[[ -d $S3_DIR/meta ]] && meta=(--sidecar "$S3_DIR/meta")

	local attempt i log_start
	for attempt in 1 2; do
		log_start=$(($(stat -c %s "$S3_LOG" 2>/dev/null || echo 0) + 1))
		s3_start "${meta[@]}"
		pid=$(<"$S3_PID")
		for ((i = 0; i < WAIT_SECONDS * 4; i++)); do
			if http_answers "$S3_PORT"; then
				S3_SUMMARY="versitygw $VGW_VERSION at $S3_ENDPOINT (started, pid $pid${meta:+, sidecar metadata})"
				return 0
			fi
			alive "$pid" || break
			sleep 0.25
		done
		if alive "$pid"; then
			s3_stop
			tail -n 20 "$S3_LOG" >&2 || true
			die "versitygw did not answer on $S3_ENDPOINT within ${WAIT_SECONDS}s (log: $S3_LOG)"
		fi
		rm -f "$S3_PID" "$S3_PORT_FILE"
		if ((attempt == 1)) && ((${#meta[@]} == 0)) &&
			tail -c "+$log_start" "$S3_LOG" | grep -q 'xattr check failed'; then
			log "filesystem under $S3_DIR has no xattr support; using --sidecar $S3_DIR/meta"
			mkdir -p "$S3_DIR/meta"
			meta=(--sidecar "$S3_DIR/meta")
			continue
		fi
		tail -c "+$log_start" "$S3_LOG" | tail -n 20 >&2 || true
		die "versitygw exited during startup (log: $S3_LOG)"
	done
}

# ---------------------------------------------------------------------------
# Mail (Mailpit)

MAIL_MODE=''  # external | mailpit
MAIL_SUMMARY=''
declare -a MAIL_ENV=()

mail_our_pid() {
	[[ -f $MAIL_PID ]] || return 1
	local pid
	pid=$(<"$MAIL_PID")
	[[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
	if [[ -r /proc/$pid/cmdline ]]; then
		{ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -q mailpit || return 1
	fi
	printf '%s\n' "$pid"
}

mail_stop() {
	local pid
	if pid=$(mail_our_pid); then
		log "stopping mailpit (pid $pid)"
		kill "$pid" 2>/dev/null || true
	fi
	rm -f "$MAIL_PID" "$MAIL_PORT_FILE"
}

mail_set_port() {
	MAIL_PORT=$1
	MAIL_ENV=(LMS_SMTP_ADDR "127.0.0.1:$MAIL_PORT" LMS_MAIL_CATCHER_URL "http://127.0.0.1:$((MAIL_PORT + 1))")
}

# mail_is_catcher PORT — a Mailpit API answers on PORT+1.
mail_is_catcher() {
	curl -fs --max-time 3 "http://127.0.0.1:$(($1 + 1))/api/v1/info" 2>/dev/null | grep -q '"Version"'
}

mail_ensure_binary() {
	[[ -x $MAIL_BIN ]] && return 0
	local go gopath_bin
	go=$(go_bin) || die "mailpit is not built yet and no Go toolchain was found (need 'go' in PATH)"
	mkdir -p "$DATA/bin"
	gopath_bin="$(cd / && "$go" env GOPATH 2>/dev/null | cut -d: -f1)/bin/mailpit"
	if [[ -x $gopath_bin ]]; then
		cp -f "$gopath_bin" "$MAIL_BIN.tmp" && mv -f "$MAIL_BIN.tmp" "$MAIL_BIN"
		return 0
	fi
	log "building mailpit $MAIL_VERSION into $DATA/bin (go install; a few minutes on a cold cache)..."
	if ! (cd / && GOBIN="$DATA/bin" GOFLAGS=-mod=mod GOWORK=off "$go" install "$MAIL_MODULE@$MAIL_VERSION" 9>&- >&2); then
		die "go install $MAIL_MODULE@$MAIL_VERSION failed"
	fi
}

mail_up() {
	if [[ -n ${LMS_SMTP_ADDR-} ]] && ! from_our_env_file LMS_SMTP_ADDR mail mailpit; then
		MAIL_MODE='external'
		MAIL_ENV=(LMS_SMTP_ADDR "$LMS_SMTP_ADDR")
		[[ -n ${LMS_MAIL_CATCHER_URL-} ]] && MAIL_ENV+=(LMS_MAIL_CATCHER_URL "$LMS_MAIL_CATCHER_URL")
		MAIL_SUMMARY="user-managed LMS_SMTP_ADDR=$LMS_SMTP_ADDR (nothing started)"
		return 0
	fi
	MAIL_MODE='mailpit'
	valid_port "$MAIL_PORT" || die "LMS_LOCAL_SMTP_PORT='$MAIL_PORT' is not a valid port"
	if [[ -z ${LMS_LOCAL_SMTP_PORT-} && -f $MAIL_PORT_FILE ]] && mail_our_pid >/dev/null; then
		mail_set_port "$(<"$MAIL_PORT_FILE")"
	else
		mail_set_port "$MAIL_PORT"
	fi
	local pid i p
	if pid=$(mail_our_pid) && mail_is_catcher "$MAIL_PORT"; then
		MAIL_SUMMARY="mailpit at 127.0.0.1:$MAIL_PORT (already running, pid $pid; web $((MAIL_PORT + 1)))"
		return 0
	fi
	mail_stop
	# Another checkout's mail catcher: share it (tests read their own recipients).
	if can_connect "$MAIL_PORT" && mail_is_catcher "$MAIL_PORT"; then
		MAIL_SUMMARY="mail catcher at 127.0.0.1:$MAIL_PORT (not started by this checkout; reused)"
		return 0
	fi
	for ((p = MAIL_PORT; p < MAIL_PORT + 40; p += 2)); do
		if ! can_connect "$p" && ! can_connect "$((p + 1))"; then break; fi
	done
	mail_set_port "$p"
	mail_ensure_binary
	printf '\n==== %s services.sh: starting mailpit on 127.0.0.1:%s\n' "$(date -Is)" "$MAIL_PORT" >>"$MAIL_LOG"
	(
		close_extra_fds
		cd "$DATA"
		exec setsid nohup "$MAIL_BIN" --smtp "127.0.0.1:$MAIL_PORT" --listen "127.0.0.1:$((MAIL_PORT + 1))" \
			--max 5000 --smtp-auth-accept-any --smtp-auth-allow-insecure >>"$MAIL_LOG" 2>&1 </dev/null 9>&-
	) &
	printf '%s\n' "$!" >"$MAIL_PID"
	printf '%s\n' "$MAIL_PORT" >"$MAIL_PORT_FILE"
	pid=$(<"$MAIL_PID")
	for ((i = 0; i < WAIT_SECONDS * 4; i++)); do
		if mail_is_catcher "$MAIL_PORT"; then
			MAIL_SUMMARY="mailpit $MAIL_VERSION at 127.0.0.1:$MAIL_PORT (started, pid $pid; web http://127.0.0.1:$((MAIL_PORT + 1)))"
			return 0
		fi
		alive "$pid" || break
		sleep 0.25
	done
	tail -n 20 "$MAIL_LOG" >&2 || true
	die "mailpit did not answer on 127.0.0.1:$((MAIL_PORT + 1)) (log: $MAIL_LOG)"
}

# ---------------------------------------------------------------------------
# Identity providers (Hydra + directory + samlidp)

IDP_SUMMARY=''
declare -a IDP_ENV=()

idp_bin() { printf '%s/bin/%s\n' "$DATA" "$1"; }
idp_pidfile() { printf '%s/idp-%s.pid\n' "$DATA" "$1"; }
idp_log() { printf '%s/idp-%s.log\n' "$DATA" "$1"; }

# idp_our_pid NAME — pid of our NAME process if alive.
idp_our_pid() {
	local f pid
	f=$(idp_pidfile "$1")
	[[ -f $f ]] || return 1
	pid=$(<"$f")
	[[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
	if [[ -r /proc/$pid/cmdline ]]; then
		{ tr '\0' '\n' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qx "$(idp_bin "$1")" || return 1
	fi
	printf '%s\n' "$pid"
}

idp_stop() {
	local name pid i
	for name in "${IDP_NAMES[@]}"; do
		if pid=$(idp_our_pid "$name"); then
			log "stopping $name (pid $pid)"
			kill "$pid" 2>/dev/null || true
			for ((i = 0; i < 40; i++)); do
				alive "$pid" || break
				sleep 0.25
			done
			alive "$pid" && kill -KILL "$pid" 2>/dev/null
		fi
		rm -f "$(idp_pidfile "$name")"
	done
	rm -f "$IDP_PORT_FILE"
}

idp_set_port() {
	IDP_PORT=$1
	local pub="http://127.0.0.1:$1"
	IDP_ENV=(LMS_TEST_OIDC_ISSUER "$pub/" LMS_TEST_OIDC_ADMIN_URL "http://127.0.0.1:$(($1 + 1))"
		LMS_TEST_OIDC_DIRECTORY_URL "http://127.0.0.1:$(($1 + 2))" LMS_TEST_SAML_IDP_URL "http://127.0.0.1:$(($1 + 3))")
}

# idp_answer — all four endpoints answer as the programs we started.
idp_answer() {
	local p=$IDP_PORT
	curl -fs --max-time 3 -o /dev/null "http://127.0.0.1:$((p + 1))/health/ready" &&
		curl -fs --max-time 3 "http://127.0.0.1:$p/.well-known/openid-configuration" 2>/dev/null |
		grep -qF "\"issuer\":\"http://127.0.0.1:$p/\"" &&
		curl -fs --max-time 3 -o /dev/null "http://127.0.0.1:$((p + 2))/healthz" &&
		curl -fs --max-time 3 -o /dev/null "http://127.0.0.1:$((p + 3))/metadata"
}

# How the binaries are built; a change rebuilds them.
IDP_BUILD_TAGS='sqlite,sqlite_omit_load_extension'
IDP_STAMP="$DATA/bin/idp.build"

# idp_stale — a binary is missing or older than a file of deploy/local/idp,
# or was built another way.
idp_stale() {
	local name b
	[[ $(cat "$IDP_STAMP" 2>/dev/null) == "tags=$IDP_BUILD_TAGS" ]] || return 0
	for name in "${IDP_NAMES[@]}"; do
		b=$(idp_bin "$name")
		[[ -x $b ]] || return 0
		[[ -n $(find "$IDP_SRC" -type f -newer "$b" -print -quit) ]] && return 0
	done
	return 1
}

idp_build() {
	local go start=$SECONDS
	go=$(go_bin) || die "the identity providers are not built yet and no Go toolchain was found (need 'go' in PATH)"
	mkdir -p "$DATA/bin"
	log "building hydra $IDP_HYDRA_VERSION, directory and samlidp (crewjam/saml $IDP_SAML_VERSION) into $DATA/bin (go install; ~3 min on a cold cache)..."
	# Versions come from deploy/local/idp/go.sum (-mod=readonly): nothing unpinned.
	# Hydra keeps its in-memory store (DSN=memory) in SQLite, which needs the
	# sqlite tag (cgo, so a C compiler), as Hydra's own Makefile builds it.
	command -v "$(cd / && "$go" env CC)" >/dev/null || apt_install gcc libc6-dev
	if ! (cd "$IDP_SRC" && GOBIN="$DATA/bin" GOFLAGS='-mod=readonly -buildvcs=false' GOWORK=off CGO_ENABLED=1 \
		"$go" install -tags "$IDP_BUILD_TAGS" tool ./cmd/... 9>&- >&2); then
		die "building deploy/local/idp failed"
	fi
	local name
	for name in "${IDP_NAMES[@]}"; do
		[[ -x $(idp_bin "$name") ]] || die "go install succeeded but $(idp_bin "$name") is missing"
		touch "$(idp_bin "$name")"
	done
	printf 'tags=%s\n' "$IDP_BUILD_TAGS" >"$IDP_STAMP"
	log "built the identity providers in $((SECONDS - start))s"
}

# idp_start NAME ARGS... — launch $DATA/bin/NAME with a clean environment
# (Hydra reads its whole configuration from variables; a stray one would
# change it) plus the NAME=value words of IDP_START_ENV.
IDP_START_ENV=()
idp_start() {
	local name=$1 bin logf
	shift
	bin=$(idp_bin "$name")
	logf=$(idp_log "$name")
	printf '\n==== %s services.sh: starting %s %s\n' "$(date -Is)" "$name" "$*" >>"$logf"
	(
		close_extra_fds
		cd "$DATA"
		exec setsid nohup env -i PATH="$PATH" HOME="${HOME:-/}" "${IDP_START_ENV[@]}" \
			"$bin" "$@" >>"$logf" 2>&1 </dev/null 9>&-
	) &
	printf '%s\n' "$!" >"$(idp_pidfile "$name")"
}

idp_up() {
	valid_port "$IDP_PORT" || die "LMS_LOCAL_IDP_PORT='$IDP_PORT' is not a valid port"
	local name pid all=1 i p
	if idp_stale; then
		idp_build
		# Running processes are of the old build.
		idp_stop
	fi
	if [[ -z ${LMS_LOCAL_IDP_PORT-} && -f $IDP_PORT_FILE ]]; then
		idp_set_port "$(<"$IDP_PORT_FILE")"
	else
		idp_set_port "$IDP_PORT"
	fi
	for name in "${IDP_NAMES[@]}"; do idp_our_pid "$name" >/dev/null || all=0; done
	if ((all)) && [[ $(cat "$IDP_PORT_FILE" 2>/dev/null) == "$IDP_PORT" ]] && idp_answer; then
		IDP_SUMMARY="hydra $IDP_HYDRA_VERSION at http://127.0.0.1:$IDP_PORT/ (admin $((IDP_PORT + 1)), directory $((IDP_PORT + 2))), samlidp at $((IDP_PORT + 3)) (already running)"
		return 0
	fi
	idp_stop
	# Four free ports in a row (public, admin, directory, SAML).
	for ((p = IDP_PORT; p < IDP_PORT + 80; p += 4)); do
		if ! can_connect "$p" && ! can_connect "$((p + 1))" && ! can_connect "$((p + 2))" && ! can_connect "$((p + 3))"; then
			break
		fi
		[[ -n ${LMS_LOCAL_IDP_PORT-} ]] && die "ports $p-$((p + 3)) (LMS_LOCAL_IDP_PORT) are not all free; choose another"
	done
	((p < IDP_PORT + 80)) || die "no four free ports in a row from $IDP_PORT on 127.0.0.1; set LMS_LOCAL_IDP_PORT"
	((p != IDP_PORT)) && log "ports $IDP_PORT-$((IDP_PORT + 3)) are in use; using $p-$((p + 3)) for the identity providers"
	idp_set_port "$p"
	printf '%s\n' "$p" >"$IDP_PORT_FILE"

	local pub="http://127.0.0.1:$p" dir="http://127.0.0.1:$((p + 2))" secret
	secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	IDP_START_ENV=(DSN=memory SQA_OPT_OUT=true LOG_LEVEL=info
		"SECRETS_SYSTEM=$secret"
		"URLS_SELF_ISSUER=$pub/" "URLS_SELF_PUBLIC=$pub/"
		"URLS_LOGIN=$dir/login" "URLS_CONSENT=$dir/consent"
		SERVE_PUBLIC_HOST=127.0.0.1 "SERVE_PUBLIC_PORT=$p"
		SERVE_ADMIN_HOST=127.0.0.1 "SERVE_ADMIN_PORT=$((p + 1))"
		SERVE_COOKIES_SAME_SITE_MODE=Lax
		# A browser test may sit on the sign-in form for a while.
		TTL_LOGIN_CONSENT_REQUEST=1h TTL_AUTH_CODE=30m TTL_ACCESS_TOKEN=1h TTL_ID_TOKEN=1h)
	idp_start hydra serve all --dev --sqa-opt-out
	IDP_START_ENV=()
	idp_start directory -listen "127.0.0.1:$((p + 2))" -hydra-admin "http://127.0.0.1:$((p + 1))"
	mkdir -p "$DATA/samlidp"
	idp_start samlidp -listen "127.0.0.1:$((p + 3))" -url "http://127.0.0.1:$((p + 3))" -dir "$DATA/samlidp"

	for ((i = 0; i < WAIT_SECONDS * 4; i++)); do
		if idp_answer; then
			IDP_SUMMARY="hydra $IDP_HYDRA_VERSION at $pub/ (admin $((p + 1)), directory $((p + 2))), samlidp at $((p + 3)) (started)"
			return 0
		fi
		for name in "${IDP_NAMES[@]}"; do
			if ! idp_our_pid "$name" >/dev/null; then
				tail -n 20 "$(idp_log "$name")" >&2 || true
				idp_stop
				die "$name exited during startup (log: $(idp_log "$name"))"
			fi
		done
		sleep 0.25
	done
	for name in "${IDP_NAMES[@]}"; do tail -n 5 "$(idp_log "$name")" >&2 || true; done
	idp_stop
	die "the identity providers did not answer within ${WAIT_SECONDS}s (logs: $DATA/idp-*.log)"
}

# ---------------------------------------------------------------------------
# commands

write_env() {
	local tmp="$ENV_FILE.tmp.$$" i
	{
		printf '# Generated by deploy/local/services.sh up on %s. Do not edit; re-run it instead.\n' "$(date -Is)"
		printf '# pg: %s\n# s3: %s\n# mail: %s\n# idp: local\n' "$PG_MODE" "$S3_MODE" "$MAIL_MODE"
		for ((i = 0; i < ${#PG_ENV[@]}; i += 2)); do
			printf 'export %s=%s\n' "${PG_ENV[i]}" "$(shq "${PG_ENV[i + 1]}")"
		done
		for ((i = 0; i < ${#S3_ENV[@]}; i += 2)); do
			printf 'export %s=%s\n' "${S3_ENV[i]}" "$(shq "${S3_ENV[i + 1]}")"
		done
		for ((i = 0; i < ${#MAIL_ENV[@]}; i += 2)); do
			printf 'export %s=%s\n' "${MAIL_ENV[i]}" "$(shq "${MAIL_ENV[i + 1]}")"
		done
		for ((i = 0; i < ${#IDP_ENV[@]}; i += 2)); do
			printf 'export %s=%s\n' "${IDP_ENV[i]}" "$(shq "${IDP_ENV[i + 1]}")"
		done
	} >"$tmp"
	mv -f "$tmp" "$ENV_FILE"
}

cmd_up() {
	lock
	pg_up
	s3_up
	mail_up
	idp_up
	write_env
	log "PostgreSQL: $PG_SUMMARY"
	log "S3:         $S3_SUMMARY"
	log "Mail:       $MAIL_SUMMARY"
	log "Identity:   $IDP_SUMMARY"
	log "env file:   $ENV_FILE"
}

cmd_down() {
	lock
	idp_stop
	mail_stop
	s3_stop
	pg_down
	rm -f "$ENV_FILE"
	log "stopped services started by services.sh (system/user-managed ones are untouched)"
}

cmd_env() {
	[[ -f $ENV_FILE ]] || cmd_up
	cat "$ENV_FILE"
}

cmd_status() {
	local pid bindir port
	if [[ -f $ENV_FILE ]]; then
		log "env file $ENV_FILE (pg: $(prev_mode pg), s3: $(prev_mode s3))"
	else
		log "no env file; run 'up'"
	fi
	if [[ -f $PG_DIR/PG_VERSION ]] && bindir=$(pg_private_bindir) && pg_setup_runas &&
		port=$(pg_private_running_port "$bindir"); then
		log "private PostgreSQL: running on 127.0.0.1:$port"
	else
		log "private PostgreSQL: not running"
	fi
	if pid=$(s3_our_pid); then
		log "versitygw: running, pid $pid, port $(cat "$S3_PORT_FILE" 2>/dev/null)"
	else
		log "versitygw: not running"
	fi
	if pid=$(mail_our_pid); then
		log "mailpit: running, pid $pid, port $(cat "$MAIL_PORT_FILE" 2>/dev/null)"
	else
		log "mailpit: not running"
	fi
	local name base
	base=$(cat "$IDP_PORT_FILE" 2>/dev/null || true)
	for name in "${IDP_NAMES[@]}"; do
		if pid=$(idp_our_pid "$name"); then
			log "$name: running, pid $pid (ports from ${base:-?}: hydra public, admin, directory, samlidp)"
		else
			log "$name: not running"
		fi
	done
}

case ${1-} in
up) cmd_up ;;
down) cmd_down ;;
env) cmd_env ;;
status) cmd_status ;;
*)
	printf 'usage: %s up|down|env|status\n' "$0" >&2
	exit 2
	;;
esac
