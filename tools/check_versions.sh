#!/usr/bin/env bash
# Run the unit tests and notebook 01 on several TensorFlow/Keras pairs; print a markdown table.
#
# Usage: tools/check_versions.sh [floors | TF/KERAS ...]      e.g. tools/check_versions.sh 2.19.0/3.10.0
# With no argument it checks the floors, Colab's pair (TF 2.19.0 + Keras 3.10.0) and the newest.
# "floors" installs every requirement at its floor: each `name>=X` of requirements.txt as `name==X`
# (TensorFlow and Keras included), so that every floor the requirements promise is one that ran.
# Each pair gets its own virtual environment in .venvs/ (git-ignored), built once and reused (the
# floors' rebuilt when a floor changes), so a re-run costs only the tests. Logs: .venvs/<pair>.install.log, .venvs/<pair>/{unit,notebook}.log.
# Set PYTHON to choose the interpreter the environments are made from (default python3).
set -uo pipefail
cd "$(dirname "$0")/.."
# The code under test is this tree's, whichever tree a reused environment's `-e .` points at.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"

DEFAULT_PAIRS=(floors 2.19.0/3.10.0 2.21.0/3.15.1)
if (($#)); then PAIRS=("$@"); else PAIRS=("${DEFAULT_PAIRS[@]}"); fi
NOTEBOOK=notebooks/01_quadratic_toy_gan.ipynb

# requirements.txt's floors as pins, one `name==X` per line.
floors() {
    sed -nE 's/^([A-Za-z0-9_.-]+)>=([^ #]+).*/\1==\2/p' requirements.txt
}

# The floor of one requirement ("2.16.1" for tensorflow).
floor_of() {
    floors | sed -nE "s/^$1==//p"
}

# The environment for one pair, made and filled unless it was finished before with the same pins.
# `pins` is a constraints file: the floors for "floors", /dev/null otherwise (pip then takes the
# newest releases that fit the pair, e.g. numpy<2 for TensorFlow 2.16 and 2.17).
build() {
    local tf=$1 keras=$2 venv=$3 pins=$4
    [[ -f $venv/.complete ]] && cmp -s "$pins" "$venv/.complete" && return 0
    rm -rf "$venv"
    "${PYTHON:-python3}" -m venv "$venv" &&
        "$venv/bin/pip" install -q --upgrade pip &&
        "$venv/bin/pip" install -q "tensorflow==$tf" "keras==$keras" -c "$pins" -r requirements.txt -e . &&
        cp "$pins" "$venv/.complete"
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
mkdir -p .venvs
for pair in "${PAIRS[@]}"; do
    pins=/dev/null
    if [[ $pair == floors ]]; then
        tf=$(floor_of tensorflow) keras=$(floor_of keras)
        venv=.venvs/floors pins=.venvs/floors.txt
        floors >"$pins"
        label="TF $tf + Keras $keras, every other requirement at its floor"
    else
        tf=${pair%/*} keras=${pair#*/}
        venv=.venvs/tf$tf-keras$keras
        label="TF $tf + Keras $keras"
    fi
    echo "$label: $venv" >&2
    if ! build "$tf" "$keras" "$venv" "$pins" >"$venv.install.log" 2>&1; then
        rows+=("| $label | install failed (see $venv.install.log) | | |")
        continue
    fi
    start=$SECONDS
    "$venv/bin/python" -m pytest tests -q -p no:cacheprovider --color=no >"$venv/unit.log" 2>&1
    "$venv/bin/python" -m pytest "$NOTEBOOK" --color=no >"$venv/notebook.log" 2>&1
    rows+=("| $label | $(outcome "$venv/unit.log") | $(outcome "$venv/notebook.log") | $((SECONDS - start)) |")
    echo "${rows[-1]}" >&2
done

echo "| TensorFlow + Keras | unit tests | notebook 01 | seconds |"
echo "| --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
