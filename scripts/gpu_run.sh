#!/usr/bin/env bash
# Everything this course needs a GPU for, in one command (a few minutes on an H100/H200):
#   1. the kernel tests on CUDA (the same tests CI runs through Triton's interpreter, plus the
#      64-bit-offset test that is too slow for the interpreter);
#   2. the full benchmark suite, writing results/<gpu>-<date>/results.{json,md,png}.
# Run from the repository root with torch and Triton installed (make install, or PYTHONPATH=.).
# Then commit the new results/ folder: the book and the tests read it from there.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1
python3 -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 'no CUDA device')"
name=$(python3 -c "import torch; print(torch.cuda.get_device_name().split()[-1].lower())")
out="${1:-results/${name}-$(date -u +%Y-%m-%d)}"
python3 -m pytest -q -p no:cacheprovider tests/test_kernels.py tests/test_activations.py tests/test_blocks.py
python3 -m ffn_lib.bench --out "$out" --no-progress
python3 - "$out" <<'PY'
import json, sys
from ffn_lib.bench import validate, select
doc = validate(json.load(open(f"{sys.argv[1]}/results.json")))
print("copy bandwidth:", doc["reference"]["copy_bandwidth"])
for r in select(doc, group="act_mul", ops=["silu"]):
    print(r["op"], r["impl"], r["pass"], f'{r["time"]["median"]*1e3:.3f} ms', f'{r["copy_share"]["value"]:.0%}')
PY
echo "wrote $out"
