#!/usr/bin/env bash
# The series on a CUDA GPU with Keras's JAX backend (no TensorFlow needed): the unit tests, notebooks 02
# and 04 under nbval, and the training speed of each recipe; prints a markdown table for docs/results.md.
#
# Usage: tools/gpu_check.sh [--cpu] [--wheels DIR] [--quick]
#   --cpu         run on the CPU (JAX_PLATFORMS=cpu): how this script is tested where there is no GPU
#   --wheels DIR  first install Keras and this project's pure-Python needs from the wheels in DIR
#                 (pip --no-index), for a machine that has JAX with CUDA but no package index
#   --quick       tests/test_data.py and notebook 01 instead of every unit test and notebooks 02 and 04,
#                 and one call per speed row: checks the script itself (tests/test_gpu_check.py)
# The time of each part is printed as it ends; the whole check is meant to fit in 8 minutes on a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
export KERAS_BACKEND=jax
python=${PYTHON:-python3}
notebooks=(notebooks/02_mnist_gan.ipynb notebooks/04_dcgan.ipynb)
unit=(tests)
quick=()
while (($#)); do
    case $1 in
        --cpu) export JAX_PLATFORMS=cpu ;;
        --wheels) "$python" -m pip install -q --no-index --find-links "$2" keras matplotlib imageio pillow nbval pytest ipykernel; shift ;;
        --quick) notebooks=(notebooks/01_quadratic_toy_gan.ipynb) unit=(tests/test_data.py) quick=(--quick) ;;
        *) echo "unknown option $1 (see the usage at the top of $0)" >&2; exit 2 ;;
    esac
    shift
done

device=$("$python" -c '
import jax
gpus = [d for d in jax.devices() if d.platform == "gpu"]
print(gpus[0].device_kind if gpus else "CPU")')
if [[ $device == CPU && ${JAX_PLATFORMS:-} != cpu ]]; then
    echo "JAX finds no GPU here; run with --cpu to check on the CPU" >&2
    exit 1
fi

rows=()
timed() {  # timed LABEL COMMAND...: run, record its outcome and seconds
    local label=$1 start=$SECONDS status=passed
    shift
    "$@" >"/tmp/gpu_check.$$.log" 2>&1 || status="FAILED (see /tmp/gpu_check.$$.log)"
    local summary
    summary=$(grep -E '(passed|failed|error).* in [0-9.]+s' "/tmp/gpu_check.$$.log" | tail -1 | sed -E 's/^=+ //; s/ in [0-9.]+s.*//') || true
    rows+=("| $label | ${summary:-$status} | $((SECONDS - start)) s |")
    echo "${rows[-1]}" >&2
    [[ $status == passed ]]
}

ok=0
timed "unit tests (${unit[*]})" "$python" -m pytest "${unit[@]}" -q -p no:cacheprovider || ok=1
for notebook in "${notebooks[@]}"; do
    timed "$(basename "$notebook") (nbval)" "$python" -m pytest "$notebook" -q -p no:cacheprovider || ok=1
done
speed=$("$python" benchmarks/backend_speed.py --backends jax --repeats 1 "${quick[@]}") || ok=1

echo "KERAS_BACKEND=jax on $device, $(date +%F):"
echo
echo "| check | outcome | wall time |"
echo "|---|---|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "$speed"
exit $ok
