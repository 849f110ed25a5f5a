"""Device and precision choice for every model stage; torch is imported when a model is placed, not before."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.errors import DeviceError

if TYPE_CHECKING:
    import torch

__all__ = ["FP16_UNSAFE_FAMILIES", "DeviceError", "Placement", "resolve_device", "resolve_placement"]

_DTYPE_NAMES = {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16"}

# Families whose activations overflow in fp16 (T5's feed-forward outputs, PEGASUS's attention) and give NaN/inf.
FP16_UNSAFE_FAMILIES = frozenset({"t5", "mt5", "pegasus", "pegasus_x"})


@dataclass(frozen=True)
class Placement:
    device: torch.device
    dtype: torch.dtype

    @property
    def dtype_name(self) -> str:
        return str(self.dtype).removeprefix("torch.")


def resolve_device(spec: str) -> torch.device:
    """`auto` picks the first CUDA device when there is one, else the CPU."""
    import torch

    if spec == "auto":
        return torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    device = torch.device(spec)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise DeviceError(f"device {spec!r} was asked for but torch sees no CUDA device (use device: auto or cpu)")
        index = device.index or 0
        if index >= torch.cuda.device_count():
            raise DeviceError(f"device {spec!r}: only {torch.cuda.device_count()} CUDA device(s) are visible")
    return device


def resolve_placement(device_spec: str, precision: str, model_type: str | None = None) -> Placement:
    """fp32 on CPU, bf16 on CUDA where supported (else fp32); fp16 only when asked, and never for T5/PEGASUS."""
    import torch

    device = resolve_device(device_spec)
    if precision == "auto":
        use_bf16 = device.type == "cuda" and torch.cuda.is_bf16_supported()
        return Placement(device, torch.bfloat16 if use_bf16 else torch.float32)
    if precision == "fp16":
        if device.type == "cpu":
            raise DeviceError("precision fp16 is for CUDA; on the CPU use fp32 (default) or bf16")
        if model_type in FP16_UNSAFE_FAMILIES:
            raise DeviceError(f"precision fp16 is refused for {model_type} models: they overflow in fp16; use bf16 or fp32")
    return Placement(device, getattr(torch, _DTYPE_NAMES[precision]))
