"""The workloads of `plume bench torch` in PyTorch, on the same libtorch (Debian's python3-torch).

    .cache/venv/bin/python Benchmarks/torch_python.py --weights DIR [--repeat N] [--threads T]
        [--workload NAME ...] [--matmul-size N]

DIR holds the inputs and weights written by `plume bench torch --weights DIR` (raw
little-endian float32 NAME.bin files, row-major, listed with their shapes in
manifest.json), so both sides compute on the same numbers. Prints one JSON line per
workload ("method": "python"): `seconds` is the best of N timed iterations after one
warm-up (per step: transformer-tiny times 100 steps per iteration), `median` their
median, `loss` the loss of the warm-up (first) iteration, `faults` the minor page faults
per step.
"""
import argparse
import json
import math
import os
import resource
import time

import numpy as np
import torch
import torch.nn.functional as F

WORKLOADS = ["conv-block", "transformer-block", "transformer-tiny", "matmul-f32", "matmul-f64"]


def load(folder):
    """name → contiguous float32 tensor (allocated by torch, as in Swift), from manifest.json."""
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    tensors = {}
    for entry in manifest["tensors"]:
        if entry["dtype"] != "float32":
            raise SystemExit(f"{entry['name']}: dtype {entry['dtype']} not supported")
        values = np.fromfile(os.path.join(folder, entry["file"]), dtype="<f4")
        tensors[entry["name"]] = torch.from_numpy(values).reshape(entry["shape"]).clone()
    return tensors


def conv_block(w):
    """x → conv3×3 → GroupNorm(8) → SiLU → conv3×3 → GroupNorm(8) → + x; returns (loss fn, parameters)."""
    x = w["conv.x"]
    p = {k[len("conv."):]: v.requires_grad_(True) for k, v in w.items() if k.startswith("conv.") and k != "conv.x"}

    def loss():
        h = F.conv2d(x, p["conv1.weight"], p["conv1.bias"], padding=[1, 1])
        h = F.silu(F.group_norm(h, 8, p["norm1.weight"], p["norm1.bias"]))
        h = F.conv2d(h, p["conv2.weight"], p["conv2.bias"], padding=[1, 1])
        out = F.group_norm(h, 8, p["norm2.weight"], p["norm2.bias"]) + x
        return out.square().mean()

    return loss, list(p.values())


def transformer_block(w, prefix, heads):
    """Pre-norm block: x + attention(LayerNorm(x)), then + MLP(LayerNorm(·)); returns (loss fn, parameters)."""
    x = w[prefix + ".x"]
    p = {k[len(prefix) + 1:]: v.requires_grad_(True)
         for k, v in w.items() if k.startswith(prefix + ".") and k != prefix + ".x"}
    b, n, d = x.shape
    head_dim = d // heads

    def loss():
        qkv = F.linear(F.layer_norm(x, [d], p["norm1.weight"], p["norm1.bias"]), p["qkv.weight"], p["qkv.bias"])
        qkv = qkv.reshape(b, n, 3, heads, head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.select(0, 0), qkv.select(0, 1), qkv.select(0, 2)
        scores = q.matmul(k.transpose(-2, -1)) / math.sqrt(head_dim)
        attention = scores.softmax(dim=-1).matmul(v).transpose(1, 2).reshape(b, n, d)
        x1 = x + F.linear(attention, p["out.weight"], p["out.bias"])
        h = F.linear(F.layer_norm(x1, [d], p["norm2.weight"], p["norm2.bias"]), p["fc1.weight"], p["fc1.bias"])
        mlp = F.linear(F.gelu(h), p["fc2.weight"], p["fc2.bias"])
        return (x1 + mlp).square().mean()

    return loss, list(p.values())


TINY_STEPS = 100  # forward+backward steps per timed iteration of transformer-tiny, as in Swift


def time_training(loss, parameters, repeat, steps=1):
    """Timed iterations of `steps` forward+backward steps after one warm-up step; returns the
    best and median time per step, the warm-up's loss and the minor page faults per step.
    Gradients are cleared before each step, outside the timed region before the first."""
    first, times, faults = math.nan, [], 0
    for iteration in range(repeat + 1):
        for q in parameters:
            q.grad = None
        faults_before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        start = time.perf_counter()
        for step in range(1 if iteration == 0 else steps):
            if step > 0:
                for q in parameters:
                    q.grad = None
            value = loss()
            value.backward()
            if iteration == 0:
                first = value.item()
        seconds = (time.perf_counter() - start) / steps
        if iteration > 0:
            times.append(seconds)
            faults += resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults_before
    times.sort()
    return dict(seconds=times[0], median=times[len(times) // 2], loss=first, faults=round(faults / (repeat * steps)))


def time_matmul(n, dtype, repeat):
    a = torch.randn(n, n, dtype=dtype)
    b = torch.randn(n, n, dtype=dtype)
    best = math.inf
    for iteration in range(repeat + 1):
        start = time.perf_counter()
        c = a.matmul(b)
        seconds = time.perf_counter() - start
        del c
        if iteration > 0:
            best = min(best, seconds)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--weights", help="folder written by `plume bench torch --weights`")
    parser.add_argument("--workload", action="append", choices=WORKLOADS)
    parser.add_argument("--matmul-size", type=int, default=2048)
    args = parser.parse_args()
    workloads = args.workload or WORKLOADS
    if any(not w.startswith("matmul") for w in workloads) and not args.weights:
        parser.error("--weights is required for the conv and transformer blocks")

    torch.set_num_threads(args.threads)
    weights = load(args.weights) if args.weights else {}
    for workload in workloads:
        row = {"workload": workload, "method": "python", "threads": args.threads, "repeat": args.repeat,
               "torch": torch.__version__}
        if workload == "conv-block":
            row.update(time_training(*conv_block(weights), args.repeat))
        elif workload == "transformer-block":
            row.update(time_training(*transformer_block(weights, "transformer", heads=8), args.repeat))
        elif workload == "transformer-tiny":
            row.update(time_training(*transformer_block(weights, "tiny", heads=4), args.repeat, TINY_STEPS),
                       steps=TINY_STEPS)
        else:
            n = args.matmul_size
            best = time_matmul(n, torch.float32 if workload == "matmul-f32" else torch.float64, args.repeat)
            row.update(seconds=best, n=n, gflops=2 * n**3 / best / 1e9)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
