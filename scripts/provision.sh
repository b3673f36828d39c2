#!/usr/bin/env bash
# Makes sure the system programs the tests (and the voice demo) run for real are on this machine,
# before any test starts. On Debian or Ubuntu as root it installs what is missing with apt-get;
# anywhere else it stops at once with the exact list and the command to install them.
#
#   bash scripts/provision.sh            # everything `npm test` needs
#   bash scripts/provision.sh --voice    # only what the voice demo needs (espeak-ng, sox)
set -euo pipefail

# program to look for | Debian package | what needs it
CHECKS_ALL=(
  "/usr/lib/postgresql/15/bin/initdb|postgresql-15|PostgreSQL warehouse tests (a throwaway cluster)"
  "java|default-jre-headless|Google's Pub/Sub emulator"
  "chromium|chromium|dashboard tests (headless Chromium)"
  "espeak-ng|espeak-ng|voice tests and demo (the agent's and the caller's speech)"
  "sox|sox|voice tests and demo (resampling, WAV files)"
  "strace|strace|durability tests (the order of fsync and rename)"
)
CHECKS_VOICE=(
  "espeak-ng|espeak-ng|voice demo (the agent's and the caller's speech)"
  "sox|sox|voice demo (resampling, WAV files)"
)
# Not a Debian package: the Pub/Sub emulator ships with the Google Cloud CLI.
PUBSUB_EMULATOR=/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator

checks=("${CHECKS_ALL[@]}")
[ "${1:-}" = "--voice" ] && checks=("${CHECKS_VOICE[@]}")

have() { if [[ $1 == /* ]]; then [ -x "$1" ]; else command -v "$1" >/dev/null 2>&1; fi; }

missing_pkgs=()
missing_lines=()
for entry in "${checks[@]}"; do
  IFS='|' read -r prog pkg why <<<"$entry"
  if ! have "$prog"; then
    missing_pkgs+=("$pkg")
    missing_lines+=("  $pkg  ($prog: $why)")
  fi
done

if [ ${#missing_pkgs[@]} -gt 0 ]; then
  if [ -r /etc/debian_version ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "provision: installing ${missing_pkgs[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_pkgs[@]}" >/dev/null
  else
    echo "provision: these system packages are missing:" >&2
    printf '%s\n' "${missing_lines[@]}" >&2
    echo "install them, e.g. on Debian or Ubuntu: sudo apt-get install ${missing_pkgs[*]}" >&2
    exit 1
  fi
fi

if [ "${1:-}" != "--voice" ] && [ ! -x "$PUBSUB_EMULATOR" ]; then
  echo "provision: Google's Pub/Sub emulator is missing ($PUBSUB_EMULATOR)." >&2
  echo "install it with the Google Cloud CLI: gcloud components install pubsub-emulator," >&2
  echo "or from Google's apt repository: sudo apt-get install google-cloud-cli-pubsub-emulator" >&2
  exit 1
fi
