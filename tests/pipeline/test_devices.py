import pytest
import torch

from pipeline.devices import DeviceError, resolve_placement


def test_cpu_runs_in_fp32_by_default():
    placement = resolve_placement("cpu", "auto")
    assert (placement.device.type, placement.dtype) == ("cpu", torch.float32)


def test_bf16_can_be_asked_for_on_the_cpu():
    assert resolve_placement("cpu", "bf16").dtype == torch.bfloat16


def test_fp16_is_refused_on_the_cpu():
    with pytest.raises(DeviceError, match="fp16 is for CUDA"):
        resolve_placement("cpu", "fp16")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on machines without CUDA")
def test_asking_for_cuda_without_it_says_so():
    with pytest.raises(DeviceError, match="sees no CUDA device"):
        resolve_placement("cuda", "auto")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_defaults_to_bf16_where_supported():
    expected = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float32
    assert resolve_placement("cuda", "auto").dtype == expected


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("model_type", ["t5", "pegasus"])
def test_fp16_is_refused_for_models_that_overflow(model_type):
    with pytest.raises(DeviceError, match="overflow"):
        resolve_placement("cuda", "fp16", model_type)
