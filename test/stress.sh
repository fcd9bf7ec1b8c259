#!/usr/bin/env bash
# npm run test:stress: the whole suite while two processes keep both cores of a small machine busy, as other work
# on a shared machine does. Tests must wait on events and conditions, never on how long something usually takes;
# this is where a guess shows. Not part of CI: it takes longer and proves nothing a quiet run would not, but this.
set -uo pipefail
cd "$(dirname "$0")/.."

burners=()
stop_burners () {
  for pid in "${burners[@]}"; do kill "$pid" 2>/dev/null; done
  wait "${burners[@]}" 2>/dev/null
}
trap stop_burners EXIT
trap 'exit 130' INT TERM

for _ in 1 2; do
  node -e 'for (;;) {}' &
  burners+=("$!")
done
echo "test:stress: two CPU-burning processes (${burners[*]}) run beside the suite"

npm test "$@"
