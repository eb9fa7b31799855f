#!/usr/bin/env bash
# Runs the full-size synthetic bench (358,868 users x 292,385 items, 17.5M pairs) on the WebGPU path
# and prints the adapter, the per-iteration fit time and recommend-all users/s.
#
#   bash scripts/gpu-bench.sh [OUT.json]       FACTORS=128 bash scripts/gpu-bench.sh
#
# Needs Node.js 20+ (on PATH, or OSUSUME_NODE=/path/to/node) and a built tree (npm ci, npm run build).
set -euo pipefail

cd "$(dirname "$0")/.."
node_binary="${OSUSUME_NODE:-$(command -v node || true)}"
if [ -z "$node_binary" ]; then
  echo "gpu-bench: node not found; install Node.js 20 or later, or set OSUSUME_NODE to its path" >&2
  exit 2
fi
if [ ! -f dist/cli/main.js ]; then
  echo "gpu-bench: dist/cli/main.js is missing; run npm ci and npm run build first" >&2
  exit 2
fi

out="${1:-gpu-bench-$(date +%Y%m%d-%H%M%S).json}"
factors="${FACTORS:-64}"
scale="${SCALE:-1}"

"$node_binary" dist/cli/main.js bench --device webgpu --synthetic-scale "$scale" --factors "$factors" \
  --iterations 15 --latency-samples 200 --no-progress --json "$out"

"$node_binary" -e '
  const record = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const sorted = [...record.timings.iterationSeconds].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const adapter = record.device.adapter ?? {};
  console.log("");
  console.log(`adapter            ${adapter.vendor} / ${adapter.architecture} / ${adapter.description}${adapter.isSoftware ? " (software: timings say nothing about GPU speed)" : ""}`);
  console.log(`fit per iteration  ${median.toFixed(3)} s median (target on a Radeon RX 570-class card at F=64: 0.15 s)`);
  console.log(`recommend all      ${Math.round(record.timings.recommendAllUsersPerSecond)} users/s`);
' "$out"
