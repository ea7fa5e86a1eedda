#!/usr/bin/env bash
# Prints pip's option for PyTorch's CPU wheel index when it answers within a few seconds, else nothing.
#
# Why: PyPI's Linux torch wheel is the CUDA build (several GB of NVIDIA packages). On a machine without an
# NVIDIA driver the Makefile and .ci/run add this index, where `torch==<pin>` resolves to `<pin>+cpu` (a local
# version label satisfies the pin, and pip prefers it). Where the index cannot be reached (an offline mirror,
# a firewall), nothing is added and pip resolves torch from the indexes it is configured with: the CPU build
# only where such a mirror holds one (as this course's CI image does), else PyPI's CUDA build. A note on
# stderr says which.
URL=${TORCH_CPU_INDEX:-https://download.pytorch.org/whl/cpu}
PY=${PYTHON:-python3}
if "$PY" - "$URL" <<'PROBE' 2>/dev/null; then
import sys, urllib.request
urllib.request.urlopen(sys.argv[1].rstrip("/") + "/torch/", timeout=5).close()
PROBE
  echo "--extra-index-url $URL"
  echo "torch: CPU build from $URL" >&2
else
  echo "torch: $URL not reachable; pip resolves torch from its configured indexes (the CPU build only where a local mirror holds it)" >&2
fi
