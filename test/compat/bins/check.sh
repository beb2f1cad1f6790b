#!/usr/bin/env bash
# The two bins as a user runs them from the packed packages: both answer --help, the emulator starts
# on a free port and the CLI reads the balance from it. Prints `COMPAT <name>: ok` or `... FAILED`.
set -uo pipefail
name=${COMPAT_NAME:-bins}
fail() {
  echo "COMPAT $name: FAILED $1"
  exit 1
}
npx --no-install orange-sms-emulator --help >help-emulator.log 2>&1 || fail "orange-sms-emulator --help: $(tail -n 3 help-emulator.log)"
npx --no-install orange-sms --help >help-cli.log 2>&1 || fail "orange-sms --help: $(tail -n 3 help-cli.log)"
grep -q '^Usage: orange-sms <command>' help-cli.log || fail "orange-sms --help printed no usage"

port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
# The bin itself, not through npx: npx runs it in a child it does not stop when killed, so killing
# npx's PID left the emulator running after the entry (an orphan per matrix run).
./node_modules/.bin/orange-sms-emulator --port "$port" --countries CIV,SEN >emulator.log 2>&1 &
emulator=$!
trap 'kill "$emulator" 2>/dev/null' EXIT
for _ in $(seq 1 100); do
  grep -q "127.0.0.1:$port" emulator.log && break
  sleep 0.1
done
grep -q "127.0.0.1:$port" emulator.log || fail "the emulator did not start: $(tail -n 3 emulator.log)"

ORANGE_SMS_CLIENT_ID=emulator-client-id ORANGE_SMS_CLIENT_SECRET=emulator-client-secret \
  ORANGE_SMS_BASE_URL="http://127.0.0.1:$port" npx --no-install orange-sms balance --json >balance.json 2>balance.log ||
  fail "orange-sms balance: $(tail -n 3 balance.log)"
node -e '
  const balance = JSON.parse(require("fs").readFileSync("balance.json", "utf8"));
  const countries = JSON.stringify(balance).match(/"(CIV|SEN)"/g) ?? [];
  if (new Set(countries).size !== 2) { console.error(JSON.stringify(balance)); process.exit(1); }
' || fail "orange-sms balance did not list the emulator's two contracts"
echo "COMPAT $name: ok"
