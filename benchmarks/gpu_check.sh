#!/usr/bin/env bash
# The neural estimators on a CUDA machine, in one run (issue 19, item 9):
#   1. every neural test with SKMTL_TEST_DEVICE=cuda (skmtl/neural/tests/conftest.py:
#      estimators built without an explicit device train on the GPU), the
#      GPU-only tests of skmtl/neural/tests/test_device.py included;
#   2. bench_neural.py --part speed --device cuda: epoch time of the fused-head
#      torch loop and of MultiTaskMLPRegressor on the CPU and on the GPU, and
#      predict on 1e6 rows, same run.
#
# The device machine's python3 holds a CUDA torch, scikit-learn and pytest but
# not skorch; it travels as a wheel. Prepare here once, in the repo's root:
#   echo /.whl/ >> .git/info/exclude
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
#       --implementation cp --platform manylinux2014_x86_64 -d .whl skorch==1.4.0
# then run there with `.whl` carried:  bash benchmarks/gpu_check.sh
# Results land in $OUT (tests_cuda.txt, neural_speed_gpu.txt). About 5 minutes.
set -uo pipefail
OUT=${OUT:-/tmp/gpu_check}
mkdir -p "$OUT"
export PYTHONPATH=$PWD
if ls .whl/*.whl >/dev/null 2>&1; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
        --upgrade --target /tmp/site .whl/*.whl || exit 1
    export PYTHONPATH=/tmp/site:$PWD
fi
export PYTHONUNBUFFERED=1
python3 -c "import torch, sklearn, skorch; print('torch', torch.__version__, \
torch.cuda.get_device_name(0), 'sklearn', sklearn.__version__, 'skorch', \
skorch.__version__)" || exit 1
SKMTL_TEST_DEVICE=cuda python3 -m pytest -q -p no:cacheprovider -n 4 skmtl/neural \
    2>&1 | tee "$OUT/tests_cuda.txt" | tail -40
python3 benchmarks/bench_neural.py --part speed --device cuda --repeats 5 \
    --output "$OUT/neural_speed_gpu.txt"
