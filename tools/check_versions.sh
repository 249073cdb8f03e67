#!/usr/bin/env bash
# Run the unit tests and notebook 01 on several TensorFlow/Keras pairs; print a markdown table.
#
# Usage: tools/check_versions.sh [TF/KERAS ...]      e.g. tools/check_versions.sh 2.19.0/3.10.0
# With no argument it checks the oldest pair the requirements allow, Colab's (TF 2.19.0 + Keras
# 3.10.0) and the newest. Keep the first pair at the floors of requirements.txt.
# Each pair gets its own virtual environment in .venvs/ (git-ignored), built once and reused,
# so a re-run costs only the tests. Logs: .venvs/<pair>.install.log, .venvs/<pair>/{unit,notebook}.log.
# Set PYTHON to choose the interpreter the environments are made from (default python3).
set -uo pipefail
cd "$(dirname "$0")/.."
# The code under test is this tree's, whichever tree a reused environment's `-e .` points at.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"

DEFAULT_PAIRS=(2.16.1/3.10.0 2.19.0/3.10.0 2.21.0/3.15.1)
if (($#)); then PAIRS=("$@"); else PAIRS=("${DEFAULT_PAIRS[@]}"); fi
NOTEBOOK=notebooks/01_quadratic_toy_gan.ipynb

# The environment for one pair, made and filled only if it was not finished before.
build() {
    local tf=$1 keras=$2 venv=$3
    [[ -f $venv/.complete ]] && return 0
    rm -rf "$venv"
    "${PYTHON:-python3}" -m venv "$venv" &&
        "$venv/bin/pip" install -q --upgrade pip &&
        # pip resolves the rest to fit the pair (numpy<2 for TensorFlow 2.16 and 2.17).
        "$venv/bin/pip" install -q "tensorflow==$tf" "keras==$keras" -r requirements.txt -e . &&
        touch "$venv/.complete"
}

# pytest's closing counts without warnings ("3 failed, 158 passed"), or where to look.
outcome() {
    local log=$1 line
    line=$(grep -E '(passed|failed|error).* in [0-9.]+s' "$log" | tail -1)
    if [[ -z $line ]]; then
        echo "did not run (see $log)"
    else
        sed -E 's/^=+ //; s/ in [0-9.]+s.*//; s/, [0-9]+ warnings?//' <<<"$line"
    fi
}

rows=()
for pair in "${PAIRS[@]}"; do
    tf=${pair%/*} keras=${pair#*/}
    venv=.venvs/tf$tf-keras$keras
    mkdir -p .venvs
    echo "TensorFlow $tf + Keras $keras: $venv" >&2
    if ! build "$tf" "$keras" "$venv" >"$venv.install.log" 2>&1; then
        rows+=("| TF $tf + Keras $keras | install failed (see $venv.install.log) | | |")
        continue
    fi
    start=$SECONDS
    "$venv/bin/python" -m pytest tests -q -p no:cacheprovider --color=no >"$venv/unit.log" 2>&1
    "$venv/bin/python" -m pytest "$NOTEBOOK" --color=no >"$venv/notebook.log" 2>&1
    rows+=("| TF $tf + Keras $keras | $(outcome "$venv/unit.log") | $(outcome "$venv/notebook.log") | $((SECONDS - start)) |")
    echo "${rows[-1]}" >&2
done

echo "| TensorFlow + Keras | unit tests | notebook 01 | seconds |"
echo "| --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
