#!/usr/bin/env bash
# Everything this course needs a GPU for, in one command (about 8 minutes on an H100/H200):
#   tests      the activation, block, kernel, timing and benchmark tests on CUDA (0 failures expected),
#              including the 64-bit-offset kernel test that is too slow for the CPU interpreter, and chapter 7's
#              teaching kernels, epilogue product and kernel exercises natively (elsewhere only interpreted);
#   bench      the full benchmark suite  -> results/<gpu>-<date>/results.{json,md,png};
#   lm         chapter 8's GPU-scale experiment -> results/lm-<gpu>-<date>/;
#   notebooks  every chapter notebook's code cells, in order, on the GPU (Jupyter if present is not needed)
#              -> results/<gpu>-<date>/notebooks.json;
#   tune       (only when named) act_mul_cat under several launch shapes against act_mul's flat launch
#              (scripts/tune_launch.py, about a minute) -> results/<gpu>-<date>/tune.json;
#   epilogue   (only when named) chapter 7's SwiGLU-epilogue matrix product against cuBLAS + act_mul at a
#              prefill and a decode size (scripts/time_epilogue.py, under a minute) -> .../epilogue.json;
#   math       (only when named) chapter 2's open question: GELU-erf's fused kernel under each erf x each
#              reciprocal (kernels.set_math), with each compiled kernel's PTX/SASS instruction counts
#              (scripts/time_math.py, about a minute) -> .../math.json.
# Usage, from the repository root with torch and Triton installed (make install, or PYTHONPATH=.):
#   bash scripts/gpu_run.sh                 # all four steps
#   bash scripts/gpu_run.sh tests bench     # some of them
#   ARCHIVE=$OUT/run.tar.gz bash scripts/gpu_run.sh tests+notebooks tune bench epilogue math
#                                           # a lent machine's 15 minutes: about 6 minutes, packed after each step
# A preflight first imports what the named steps need and exits 3 naming what is missing (one line, in seconds).
# Each step's log and outcome are written into the run folder; a failing step does not stop the others, and the
# script exits non-zero if any failed. Then commit the new results/ folders: the book and the tests read them.
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1 PYTHONPATH="${PYTHONPATH:+$PYTHONPATH:}$PWD" FFN_LIB_PROGRESS=off MPLBACKEND=Agg
PY=${PYTHON:-python3}
steps=("$@"); [ ${#steps[@]} -eq 0 ] && steps=(tests bench lm notebooks)
# Preflight, in seconds: import every module the named steps need and name, in one line, what is missing.
$PY - "${steps[@]}" <<'PREFLIGHT' || exit 3
import importlib, sys
need = {"tests": ["pytest", "hypothesis", "numpy", "torch", "triton", "matplotlib", "ffn_lib.kernels"],
        "bench": ["numpy", "torch", "triton", "matplotlib", "tqdm", "ffn_lib.bench.suite"],
        "lm": ["numpy", "torch", "matplotlib", "ffn_lib.lm.experiment"],
        "notebooks": ["numpy", "torch", "matplotlib", "ffn_lib"],
        "tune": ["torch", "triton", "ffn_lib.kernels"],
        "epilogue": ["torch", "triton", "ffn_lib.kernels.epilogue"],
        "math": ["torch", "triton", "ffn_lib.kernels"]}
steps = [g for s in sys.argv[1:] for g in s.split("+")]
missing = {}
for step in steps:
    for module in need.get(step, []):
        try:
            importlib.import_module(module)
        except Exception as exc:  # ImportError, or a module that fails as it imports
            missing.setdefault(getattr(exc, "name", None) or module, []).append(step)
if missing:
    sys.exit("preflight: missing " + "; ".join(f"{m} (for {', '.join(dict.fromkeys(s))})" for m, s in missing.items())
             + ": install them (pip install -e '.[gpu,test]') or leave those steps out")
PREFLIGHT
if [ -n "${DRY_RUN:-}" ]; then  # exercise this script's own logic on a machine without a GPU
  name=dry-run
else
  $PY -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 'no CUDA device')" || exit 2
  # the GPU model, as ffn_lib.devices.gpu_slug names it: "NVIDIA H100 80GB HBM3" -> h100
  name=$($PY -c "import torch; from ffn_lib.devices import gpu_slug; print(gpu_slug(torch.cuda.get_device_name()))")
fi
day=$(date -u +%Y-%m-%d)
run="${RUN_DIR:-results/${name}-${day}}"
lm_run="${LM_RUN_DIR:-results/lm-${name}-${day}}"
mkdir -p "$run"
status=0
step() {  # step NAME TIMEOUT_S COMMAND...: run with a time limit, log into the run folder, record the outcome
  local label=$1 limit=$2; shift 2
  local t0=$SECONDS
  echo "== $label (limit ${limit}s): $*"
  timeout "$limit" "$@" > >(tee "$run/$label.log") 2>&1
  local rc=$?
  echo "== $label: exit $rc after $((SECONDS - t0)) s"
  echo "{\"step\": \"$label\", \"exit\": $rc, \"seconds\": $((SECONDS - t0))}" >> "$run/steps.jsonl"
  [ $rc -eq 0 ] || status=1
  # ARCHIVE=file.tar.gz: pack the run folders after every step, so a run cut short still leaves what it measured
  [ -n "${ARCHIVE:-}" ] && tar czf "$ARCHIVE.$BASHPID" "$run" $(ls -d "$lm_run" 2>/dev/null) && mv "$ARCHIVE.$BASHPID" "$ARCHIVE"
  return 0
}
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,clocks.mem --format=csv > "$run/nvidia-smi.csv" 2>&1
run_step() {
  case $1 in
    tests)     xdist=$($PY -c "import xdist" 2>/dev/null && echo "-n ${TEST_WORKERS:-8}")
               step tests ${TESTS_LIMIT:-150} $PY -m pytest -q -p no:cacheprovider -p no:benchmark $xdist \
                 -m "not book and not browser" \
                 --junitxml="$run/tests-cuda.xml" tests/test_activations.py tests/test_blocks.py \
                 tests/test_kernels.py tests/test_timing.py tests/test_kernel_chapter.py tests/test_kernel_exercises.py \
                 $(ls tests/test_kernels_*.py tests/test_bench*.py 2>/dev/null) ;;
    bench)     step bench ${BENCH_LIMIT:-330} $PY -m ffn_lib.bench --out "$run" --no-progress --log ;;
    lm)        step lm ${LM_LIMIT:-200} $PY -m ffn_lib.lm --gpu --out "$lm_run" ${LM_ARGS:-} ;;
    notebooks) step notebooks ${NOTEBOOKS_LIMIT:-240} $PY scripts/run_notebook_code.py --out "$run/notebooks.json" ${NOTEBOOKS:-} ;;
    tune)      step tune ${TUNE_LIMIT:-180} $PY scripts/tune_launch.py --out "$run/tune.json" ${TUNE_ARGS:-} ;;
    epilogue)  step epilogue ${EPILOGUE_LIMIT:-120} $PY scripts/time_epilogue.py --out "$run/epilogue.json" \
                 ${EPILOGUE_ARGS:-} ;;
    math)      step math ${MATH_LIMIT:-150} $PY scripts/time_math.py --out "$run/math.json" ${MATH_ARGS:-} ;;
    *) echo "unknown step $1 (tests, bench, lm, notebooks, tune, epilogue, math)"; status=2 ;;
  esac
}
# A step named "a+b+c" runs a, b and c at the same time: only for steps whose timings are not recorded
# (tests, the notebooks' outcome), or that tolerate sharing the GPU. The benchmark, the tuner, the epilogue
# and the math timing always run alone.
for s in "${steps[@]}"; do
  if [[ $s == *+* ]]; then
    IFS=+ read -ra group <<< "$s"
    if [[ " ${group[*]} " =~ " "(bench|tune|epilogue|math)" " ]]; then
      echo "bench, tune, epilogue and math cannot share the GPU with other steps ($s): their timings are the point"
      status=2; continue
    fi
    for g in "${group[@]}"; do run_step "$g" & done
    wait
    grep -q '"exit": [1-9]' "$run/steps.jsonl" 2>/dev/null && status=1
  else
    run_step "$s"
  fi
done
echo "wrote $run ${lm_run}"
exit $status
