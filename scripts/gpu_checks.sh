#!/usr/bin/env bash
# The CUDA tests and the GPU benchmarks in one go, for a machine with a GPU: `bash scripts/gpu_checks.sh [OUT_DIR]`.
# Each step has its own time limit, so one that runs long still leaves the others' results in OUT_DIR.
set -u
out=${1:-gpu-checks}
python=${PYTHON:-python3}
mkdir -p "$out"
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1
nvidia-smi --query-gpu=name,memory.total,memory.used,driver_version --format=csv | tee "$out/gpu.txt"
$python -c "import torch, transformers; print('torch', torch.__version__, 'transformers', transformers.__version__)" | tee -a "$out/gpu.txt"
timeout "${CUDA_TESTS_SECONDS:-150}" $python -m pytest -q -p no:cacheprovider tests/cuda 2>&1 | tail -25 | tee "$out/cuda-tests.txt"
timeout "${THROUGHPUT_SECONDS:-270}" $python scripts/benchmark_throughput.py --device cuda --translators 200M,1B \
    --json "$out/throughput.json" 2>&1 | tee "$out/throughput.log"
timeout "${END_TO_END_SECONDS:-200}" $python scripts/benchmark_end_to_end.py --device cuda --documents 16 \
    --batch-size 64 --json "$out/end-to-end.json" 2>&1 | tee "$out/end-to-end.log"
