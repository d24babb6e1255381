#!/usr/bin/env python3
"""PyTorch side of `plume bench emulators` (run by the Swift command, one model per call).

Loads a Plume emulator checkpoint (safetensors: ``network.*`` tensors, Plume metadata JSON under
the key ``plume``) into the PyTorch twin of its architecture (Benchmarks/pytorch/plume_emulators,
chosen by ``definition.architecture.kind``), and times on the input tensors Swift saved:

- train: forward of ``train.input``, loss = mean(train.weights * (output - train.target)^2),
  backward, clip_grad_norm_ (the model file's gradient_clip), torch.optim.AdamW step (its
  learning rate, betas and weight decay);
- rollout: forward of ``rollout.input`` in eval mode under no_grad.

Prints one JSON line: {"train": {"median", "min", "first_loss"}, "rollout": {"median", "min"},
"parameters", "torch", "threads"}; times in seconds.
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "pytorch"))

import torch  # noqa: E402
from safetensors import safe_open  # noqa: E402
from safetensors.torch import load_file  # noqa: E402


def build_network(info, state):
    """The twin of ``info['definition']['architecture']`` with ``state`` loaded (strict)."""
    architecture = dict(info["definition"]["architecture"])
    kind = architecture.pop("kind")
    inputs, outputs = len(info["inputChannels"]), len(info["outputChannels"])
    lat, lon = info["grid"]["latitudes"], info["grid"]["longitudes"]
    if kind == "unet":
        from plume_emulators.unet import UNet
        network = UNet(architecture, inputs, outputs, lat, lon)
    elif kind == "mesh_gnn":
        from plume_emulators.mesh_gnn import MeshGNN
        graph = {k: v for k, v in state.items() if k.startswith("graph.")}
        network = MeshGNN(architecture, inputs, outputs, lat, lon, graph)
    elif kind == "swin":
        from plume_emulators.swin import Swin
        network = Swin(architecture, inputs, outputs, lat, lon)
    else:
        raise SystemExit(f"unknown architecture kind {kind!r}")
    network.load_state_dict(state, strict=True)
    return network


def timed(warmup, repeats, body):
    for _ in range(warmup):
        body()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        seconds.append(time.perf_counter() - start)
    return {"median": statistics.median(seconds), "min": min(seconds)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", required=True, help="Plume emulator checkpoint (.safetensors)")
    parser.add_argument("--inputs", required=True, help="train.input/target/weights, rollout.input (.safetensors)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    with safe_open(args.checkpoint, framework="pt") as f:
        metadata = f.metadata() or {}
    if "plume" not in metadata:
        raise SystemExit(f"{args.checkpoint}: no Plume metadata (key 'plume')")
    info = json.loads(metadata["plume"])
    tensors = load_file(args.checkpoint)
    state = {k[len("network."):]: v for k, v in tensors.items() if k.startswith("network.")}
    network = build_network(info, state)
    inputs = load_file(args.inputs)
    x, target, weights = inputs["train.input"], inputs["train.target"], inputs["train.weights"]
    x1 = inputs["rollout.input"]
    training = info["definition"].get("training", {})
    betas = training.get("betas", [0.9, 0.95])
    parameters = [p for p in network.parameters() if p.requires_grad]

    network.eval()

    def rollout():
        with torch.no_grad():
            network(x1)

    rollout_timing = timed(args.warmup, args.repeats, rollout)

    network.train()
    optimiser = torch.optim.AdamW(parameters, lr=training.get("learningRate", training.get("learning_rate", 1e-3)),
                                  betas=(betas[0], betas[1]),
                                  weight_decay=training.get("weightDecay", training.get("weight_decay", 0.1)),
                                  foreach=False)
    clip = training.get("gradientClip", training.get("gradient_clip", 32))
    losses = []

    def train():
        for p in parameters:
            p.grad = None
        loss = (weights * (network(x) - target).square()).mean()
        loss.backward()
        if not losses:
            losses.append(loss.item())
        torch.nn.utils.clip_grad_norm_(parameters, clip)
        optimiser.step()

    train_timing = timed(args.warmup, args.repeats, train)
    train_timing["first_loss"] = losses[0] if losses else float("nan")
    print(json.dumps({"train": train_timing, "rollout": rollout_timing,
                      "parameters": sum(p.numel() for p in parameters),
                      "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
