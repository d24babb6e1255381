#!/usr/bin/env python3
"""Cost model of Plume's CO2-transport emulators, from LowRes and MidRes to OrigRes and 0.25°.

Issue 15, acceptance item 5. Python 3 + numpy only.

    .cache/venv/bin/python Benchmarks/cost_model.py                 # the embedded measurements
    Benchmarks/cost_model.sh /tmp/cm/m.json && \
        .cache/venv/bin/python Benchmarks/cost_model.py --measurements /tmp/cm/m.json

What it does
------------
1. Lists, for each network (Sources/PlumeEmulators/Networks: UNet, Swin, MeshGNN) on a grid,
   the operations of one forward pass as Plume builds them: matrix products (convolutions as
   implicit GEMMs, linear layers, batched window attention), element-wise passes (padding,
   activations, norms, permute copies, residual adds) and gathers/scatters (the GNN), each with
   its FLOPs, its memory traffic and the elements autograd keeps for the backward pass. Input
   channels follow `StepProcessor` (7·levels + 13 for CarbonBench-mini's CO2 variables), output
   channels = levels.
2. Training step = 3 × forward FLOPs (backward ≈ 2 × forward) + AdamW; rollout step = forward of
   one sample without gradients (the MeshGNN's input-independent "statics" are computed once per
   rollout, but at every training step). Memory of a training step = 16 B/param (fp32 weight,
   gradient, AdamW m and v) + batch × saved activations.
3. Calibrates ONE effective FLOP/s per architecture on this CPU from the LowRes training step,
   predicts the MidRes training and rollout step times and the MidRes peak RSS, and reports the
   error against the MidRes measurement.
4. Projects to OrigRes (latlon2x3, 90×120, 34 levels) and 0.25° (721×1440, 37 levels), at the
   shipped size and at the CarbonBench paper size, and sizes an H100 cluster for a
   CarbonBench-scale training (100k steps, global batch 64) and a 10-year 0.25° rollout.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, field

import numpy as np

# --------------------------------------------------------------------------------------------
# Measured anchor points: `Benchmarks/cost_model.sh` (REPEATS=10 ROUNDS=3) on the project's
# 2-vCPU AMD EPYC VM, release build, 2 libtorch threads, synthetic data on the model's grid.
# Times are the minima over 3 rounds × 10 timed iterations (network level); RSS from
# /usr/bin/time -v of each model's own run. Replace with --measurements JSON to re-run.
# --------------------------------------------------------------------------------------------
EMBEDDED_MEASUREMENTS: dict | None = None  # set at the end of the file

BYTES_FP32 = 4


# ---------------------------------------------------------------------------- grids, variables
@dataclass(frozen=True)
class Grid:
    name: str
    nlat: int
    nlon: int
    levels: int
    step_hours: float
    lats: tuple = ()  # cell-centre latitudes (degrees), for the mesh graphs

    @property
    def cells(self) -> int:
        return self.nlat * self.nlon

    def latitudes(self) -> np.ndarray:
        if self.lats:
            return np.asarray(self.lats)
        d = 180.0 / self.nlat
        return -90 + d * (np.arange(self.nlat) + 0.5)

    def longitudes(self) -> np.ndarray:
        return np.arange(self.nlon) * 360.0 / self.nlon


LOWRES = Grid("LowRes latlon5.625", 32, 64, 10, 6)
MIDRES = Grid("MidRes latlon2.8125", 64, 128, 20, 6)
ORIGRES = Grid("OrigRes latlon2x3", 90, 120, 34, 3, tuple(-89 + 2.0 * np.arange(90)))
Q025 = Grid("0.25° (ERA5) 721×1440", 721, 1440, 37, 6, tuple(90 - 0.25 * np.arange(721)))


def input_channels(levels: int) -> int:
    """`StepProcessor.inputChannels` for the CO2 model files: co2massmix at t (L), forcing
    airmass, u, v (3L) and blh + 3 surface fluxes (4) at t and at t + Δt, orography (1), sin/cos
    latitude and time of year (4): 7L + 13 (83 at 10 levels, as the bench prints)."""
    return 7 * levels + 13


def output_channels(levels: int) -> int:
    return levels


# ---------------------------------------------------------------------------- operations
@dataclass
class Op:
    """One operation of a forward pass (per sample unless `per_step`)."""
    kind: str           # "mm" (matrix product), "ew" (element-wise pass), "gather"
    flops: float
    traffic: float      # elements read + written (unfused, eager execution)
    saved: float = 0.0  # elements autograd keeps for the backward pass
    block: str = ""
    per_step: bool = False  # input-independent: once per step, not per sample
    size: float = 0.0       # elements of the largest tensor it reads or writes


def mm(rows, k, m, saved=0.0, block="", weights=True, per_step=False):
    """[rows, k] × [k, m]: 2·rows·k·m FLOPs; traffic input + output (+ weights)."""
    traffic = rows * k + rows * m + (k * m if weights else 0)
    return Op("mm", 2.0 * rows * k * m, traffic, saved, block, per_step, rows * max(k, m))


def conv(pixels, cin, cout, kernel, saved=0.0, block=""):
    """Convolution as an implicit GEMM: rows = output pixels, K = cin·kernel²."""
    return Op("mm", 2.0 * pixels * cin * kernel * kernel * cout,
              pixels * (cin + cout) + cin * kernel * kernel * cout, saved, block, False, pixels * max(cin, cout))


def ew(elements, passes=2.0, flops_per=1.0, saved=0.0, block="", per_step=False):
    """Element-wise work over `elements`: `passes` reads + writes of each element."""
    return Op("ew", flops_per * elements, passes * elements, saved, block, per_step, elements)


def gather(elements, saved=0.0, block="", per_step=False):
    """index_select / index_add over `elements` values (read + write, scattered)."""
    return Op("gather", elements, 2.0 * elements, saved, block, per_step, elements)


@dataclass
class Network:
    arch: str
    size: str
    grid: Grid
    config: dict
    params: int
    ops: list = field(default_factory=list)
    note: str = ""

    def total(self, what: str, per_sample: bool) -> float:
        return sum(getattr(o, what) for o in self.ops if o.per_step != per_sample)

    # forward FLOPs
    @property
    def fwd_sample(self) -> float:
        return self.total("flops", True)

    @property
    def fwd_step(self) -> float:  # input-independent part (MeshGNN statics)
        return self.total("flops", False)

    def train_flops(self, batch: int) -> float:
        return 3.0 * (batch * self.fwd_sample + self.fwd_step) + 20.0 * self.params

    def rollout_flops(self, members: int = 1) -> float:
        return members * self.fwd_sample  # statics computed once per rollout

    # saved activations (fp32 bytes)
    def act_sample_bytes(self, bytes_per=BYTES_FP32) -> float:
        return bytes_per * self.total("saved", True)

    def act_step_bytes(self, bytes_per=BYTES_FP32) -> float:
        return bytes_per * self.total("saved", False)

    def checkpointed_sample_bytes(self, bytes_per=BYTES_FP32) -> float:
        """Activation checkpointing at block boundaries: each block keeps its input (the first
        tensor it saves stands in for it) and one block at a time is recomputed."""
        blocks: dict = {}
        for o in self.ops:
            if not o.per_step and o.saved:
                blocks.setdefault(o.block, []).append(o.saved)
        boundary = sum(v[0] for v in blocks.values())
        worst = max(sum(v) for v in blocks.values())
        return bytes_per * min(boundary + worst, self.total("saved", True))

    def largest_tensor(self) -> float:
        """Largest tensor of one sample (elements): its inference working set is ~3 of them."""
        return max(o.size for o in self.ops if not o.per_step)

    def train_memory_bytes(self, batch: int) -> float:
        return 16.0 * self.params + batch * self.act_sample_bytes() + self.act_step_bytes()


# ---------------------------------------------------------------------------- U-Net
def unet(grid: Grid, size: str, embed, depth, blocks, multiplier, kernel=3, stem_kernel=7,
         resize=None) -> Network:
    cin, cout = input_channels(grid.levels), output_channels(grid.levels)
    h0, w0 = resize or (grid.nlat, grid.nlon)
    assert h0 % (1 << depth) == 0 and w0 % (1 << depth) == 0, (h0, w0, depth)
    ch = [embed * multiplier ** i for i in range(depth + 1)]
    npx = [h0 * w0 // 4 ** i for i in range(depth + 1)]
    ops: list = []
    params = 0

    def block(ci, co, n, k, name):
        nonlocal params
        params += ci * co * k * k + 2 * co                            # conv (no bias), BN
        ops.append(ew(ci * n, 2, 0, saved=ci * n, block=name))         # padded copy (conv saves it)
        ops.append(conv(n, ci, co, k, block=name))
        ops.append(ew(co * n, 2, 1, saved=co * n, block=name))         # LeakyReLU (saves input)
        ops.append(ew(co * n, 3, 4, saved=co * n, block=name))         # BatchNorm (saves input)
        if ci == co:
            ops.append(ew(co * n, 3, 1, block=name))                   # residual add

    if resize:
        ops.append(ew(cin * (grid.cells + h0 * w0) / 2, 2, 4, block="resize"))
    block(cin, ch[0], npx[0], stem_kernel, "stem")
    for i in range(1, depth + 1):
        ops.append(ew(ch[i - 1] * npx[i - 1] * 1.25, 1, 1, saved=2 * ch[i - 1] * npx[i], block=f"enc{i}"))  # max pool (+int64 indices)
        for b in range(blocks):
            block(ch[i - 1] if b == 0 else ch[i], ch[i], npx[i], kernel, f"enc{i}")
    for i in range(depth, 0, -1):
        for b in range(blocks):
            block(ch[i], ch[i], npx[i], kernel, f"dec{i}")
        params += ch[i] * ch[i - 1] * 4 + ch[i - 1]                    # ConvTranspose2d 2×2, stride 2
        ops.append(mm(npx[i], ch[i], 4 * ch[i - 1], saved=ch[i] * npx[i], block=f"dec{i}"))
        ops.append(ew(ch[i - 1] * npx[i - 1], 3, 1, block=f"dec{i}"))  # + skip
    for b in range(blocks):
        block(ch[0], ch[0], npx[0], kernel, "dec0")
    if resize:
        ops.append(ew(ch[0] * (grid.cells + h0 * w0) / 2, 2, 4, saved=0, block="dec0"))
    params += ch[0] * cout + cout                                      # readout 1×1
    ops.append(conv(grid.cells, ch[0], cout, 1, saved=ch[0] * grid.cells, block="readout"))
    cfg = dict(embed=embed, depth=depth, blocks=blocks, channel_multiplier=multiplier,
               kernel=kernel, stem_kernel=stem_kernel, resize=list(resize) if resize else [])
    return Network("U-Net", size, grid, cfg, params, ops)


# ---------------------------------------------------------------------------- Swin
def swin(grid: Grid, size: str, embed, depth, heads, window, mlp_ratio, patch=(1, 1),
         cpb_hidden=512) -> Network:
    cin, cout = input_channels(grid.levels), output_channels(grid.levels)
    p = patch[0] * patch[1]
    ty, tx = grid.nlat // patch[0], grid.nlon // patch[1]
    assert grid.nlat % patch[0] == 0 and grid.nlon % patch[1] == 0
    assert ty % window[0] == 0 and tx % window[1] == 0, (ty, tx, window)
    t = ty * tx
    e, h, w = embed, heads, window[0] * window[1]
    r = int(e * mlp_ratio)
    ops: list = []
    params = cin * p * e + e                                           # patch embedding conv
    ops.append(mm(t, cin * p, e, saved=cin * p * t, block="embed"))
    offsets = (2 * window[0] - 1) * (2 * window[1] - 1)
    for i in range(depth):
        b = f"block{i}"
        params += 3 * e * e + 3 * e + e * e + e + h                    # qkv, proj, logit scale
        params += 2 * cpb_hidden + cpb_hidden + cpb_hidden * h + h     # continuous position bias MLP
        params += 4 * e + e * r + r + r * e + e                        # 2 LayerNorms, MLP
        ops.append(mm(offsets, 2, cpb_hidden, block=b))                # cpb MLP (per step: tiny)
        ops.append(mm(offsets, cpb_hidden, h, block=b))
        if i % 2 == 1:
            ops.append(ew(e * t, 2, 0, block=b))                       # roll
        ops.append(ew(e * t, 2, 0, block=b))                           # window partition copy
        ops.append(mm(t, e, 3 * e, saved=e * t, block=b))              # qkv
        ops.append(ew(3 * e * t, 2, 0, saved=3 * e * t, block=b))      # permute: q, k, v
        ops.append(ew(2 * e * t, 8, 6, saved=2 * e * t, block=b))      # cosine normalisation of q, k
        ops.append(mm(t * h, e // h, w, weights=False, block=b))       # q·kᵀ per window and head
        ops.append(ew(h * w * t, 8, 6, saved=2 * h * w * t, block=b))  # + bias, mask, softmax, NaN fill
        ops.append(Op("mm", 2.0 * t * h * w * (e // h), h * w * t + 2 * e * t, 0, b, False, h * w * t))  # weights · v
        ops.append(ew(e * t, 2, 0, saved=e * t, block=b))              # permute back (proj input)
        ops.append(mm(t, e, e, block=b))                               # proj
        ops.append(ew(e * t, 2 if i % 2 == 0 else 4, 0, block=b))      # merge (+ roll back)
        ops.append(ew(e * t, 4, 8, saved=e * t, block=b))              # norm1 (saves input)
        ops.append(ew(e * t, 3, 1, saved=e * t, block=b))              # residual (fc1 saves y)
        ops.append(mm(t, e, r, block=b))                               # fc1
        ops.append(ew(r * t, 2, 8, saved=r * t, block=b))              # GELU (saves input)
        ops.append(mm(t, r, e, saved=r * t, block=b))                  # fc2 (saves input)
        ops.append(ew(e * t, 4, 8, saved=e * t, block=b))              # norm2
        ops.append(ew(e * t, 3, 1, block=b))                           # residual
    params += e * cout * p + cout * p                                  # head
    ops.append(mm(t, e, cout * p, saved=e * t, block="head"))
    ops.append(ew(cout * p * t, 2, 0, block="head"))                   # un-patchify copy
    cfg = dict(embed=embed, depth=depth, heads=heads, window=list(window), patch=list(patch),
               mlp_ratio=mlp_ratio, position_bias_hidden=cpb_hidden)
    return Network("Swin", size, grid, cfg, params, ops)


# ---------------------------------------------------------------------------- MeshGNN
_PHI = (1 + 5 ** 0.5) / 2
_ICO_FACES = [(0, 1, 2), (0, 6, 1), (8, 0, 2), (8, 4, 0), (3, 8, 2), (3, 2, 7), (7, 2, 1),
              (0, 4, 6), (4, 11, 6), (6, 11, 5), (1, 5, 7), (4, 10, 11), (4, 8, 10), (10, 8, 3),
              (10, 3, 9), (11, 10, 9), (11, 9, 5), (5, 9, 7), (9, 3, 7), (1, 6, 5)]


def icosahedral_mesh(level: int):
    """GraphCast's icosahedron (Sources/PlumeGrids/Mesh/Icosahedron.swift) split into four
    `level` times: (nodes [N, 3] unit vectors, finest faces [F, 3])."""
    raw = []
    for c1 in (1.0, -1.0):
        for c2 in (_PHI, -_PHI):
            raw += [(c1, c2, 0.0), (0.0, c1, c2), (c2, 0.0, c1)]
    raw = np.array(raw)
    rot = (math.pi - 2 * math.asin(_PHI / math.sqrt(3))) / 2
    c, s = math.cos(rot), math.sin(rot)
    v = np.stack([raw[:, 0] * c - raw[:, 2] * s, raw[:, 1], raw[:, 0] * s + raw[:, 2] * c], 1)
    nodes = list(v / np.linalg.norm(v, axis=1, keepdims=True))
    faces = list(_ICO_FACES)
    for _ in range(level):
        mids: dict = {}

        def mid(a, b):
            key = (min(a, b), max(a, b))
            if key not in mids:
                m = nodes[a] + nodes[b]
                nodes.append(m / np.linalg.norm(m))
                mids[key] = len(nodes) - 1
            return mids[key]

        new = []
        for a, b, cc in faces:
            ab, bc, ca = mid(a, b), mid(b, cc), mid(cc, a)
            new += [(a, ab, ca), (ab, b, bc), (ca, bc, cc), (ab, bc, ca)]
        faces = new
    return np.array(nodes), np.array(faces)


_G2M_CACHE: dict = {}


def grid2mesh_edges(grid: Grid, level: int) -> int:
    """GraphCast's grid → mesh edges: (grid point, mesh node) pairs closer than 0.6 × the
    longest edge (chord) of the finest mesh, counted row by row of the grid."""
    key = (grid.nlat, grid.nlon, grid.lats[:1], level)
    if key in _G2M_CACHE:
        return _G2M_CACHE[key]
    nodes, faces = icosahedral_mesh(level)
    f = nodes[faces]
    longest = max(np.linalg.norm(f[:, i] - f[:, (i + 1) % 3], axis=1).max() for i in range(3))
    radius = 0.6 * longest
    node_lat = np.degrees(np.arcsin(np.clip(nodes[:, 2], -1, 1)))
    order = np.argsort(node_lat)
    sorted_lat = node_lat[order]
    half_angle = math.degrees(2 * math.asin(radius / 2)) + 1e-9
    lon = np.radians(grid.longitudes())
    count = 0
    for lat in grid.latitudes():
        lo, hi = np.searchsorted(sorted_lat, [lat - half_angle, lat + half_angle])
        band = nodes[order[lo:hi]]
        if len(band) == 0:
            continue
        phi = math.radians(lat)
        pts = np.stack([math.cos(phi) * np.cos(lon), math.cos(phi) * np.sin(lon),
                        np.full_like(lon, math.sin(phi))], 1)
        d2 = ((pts[:, None, :] - band[None, :, :]) ** 2).sum(-1)
        count += int((d2 <= radius * radius).sum())
    _G2M_CACHE[key] = count
    return count


def mesh_gnn(grid: Grid, size: str, hidden, steps, mesh_level) -> Network:
    cin, cout = input_channels(grid.levels), output_channels(grid.levels)
    hd = hidden
    g = grid.cells
    m = 10 * 4 ** mesh_level + 2
    e_mm = 60 * (4 ** (mesh_level + 1) - 1) // 3
    e_g2m = grid2mesh_edges(grid, mesh_level)
    e_m2g = 3 * g
    ops: list = []
    params = 0

    def mlp(n, fin, fout, name, layer_norm=True, per_step=False, saved_input=True):
        """GraphMLP: Linear – SiLU – Linear (– LayerNorm) on n rows."""
        nonlocal params
        params += fin * hd + hd + hd * fout + fout + (2 * fout if layer_norm else 0)
        ops.append(mm(n, fin, hd, saved=fin * n if saved_input else 0, block=name, per_step=per_step))
        ops.append(ew(hd * n, 2, 4, saved=hd * n, block=name, per_step=per_step))   # SiLU
        ops.append(mm(n, hd, fout, saved=hd * n, block=name, per_step=per_step))
        if layer_norm:
            ops.append(ew(fout * n, 4, 8, saved=fout * n, block=name, per_step=per_step))

    def interaction(name, n_send, n_recv, edges, updates_senders=False, edge_term_static=False,
                    receivers_static=False):
        """InteractionNetwork with the edge MLP's first layer in parts (GraphCast)."""
        nonlocal params
        params += 3 * hd * hd + hd + hd * hd + hd + 2 * hd                # edge MLP
        params += 2 * hd * hd + hd + hd * hd + hd + 2 * hd                # node MLP
        if not edge_term_static:                                          # W_e e (+ b), per sample
            ops.append(mm(edges, hd, hd, saved=hd * edges, block=name))
        ops.append(mm(n_send, hd, hd, saved=hd * n_send, block=name))     # W_s x_s
        ops.append(gather(hd * edges, block=name))                        # (W_s x_s)[senders]
        if not receivers_static:
            ops.append(mm(n_recv, hd, hd, block=name))                    # W_r x_r
            ops.append(gather(hd * edges, block=name))
        ops.append(ew(hd * edges, 3, 1, block=name))                      # sum of the parts
        ops.append(ew(hd * edges, 2, 4, saved=hd * edges, block=name))    # SiLU
        ops.append(mm(edges, hd, hd, saved=hd * edges, block=name))       # fc2
        ops.append(ew(hd * edges, 4, 8, saved=hd * edges, block=name))    # LayerNorm
        ops.append(gather(hd * edges, block=name))                        # index_add onto receivers
        ops.append(ew(hd * n_recv, 3, 1, block=name))                     # × 1/in-degree
        ops.append(ew(2 * hd * n_recv, 2, 0, block=name))                 # cat [x_r, aggregated]
        # node MLP on [x_r, agg] (2·hd → hd → hd, LayerNorm) — params counted above
        ops.append(mm(n_recv, 2 * hd, hd, saved=2 * hd * n_recv, block=name))
        ops.append(ew(hd * n_recv, 2, 4, saved=hd * n_recv, block=name))
        ops.append(mm(n_recv, hd, hd, saved=hd * n_recv, block=name))
        ops.append(ew(hd * n_recv, 4, 8, saved=hd * n_recv, block=name))
        ops.append(ew(hd * n_recv, 3, 1, block=name))                     # receiver residual
        if updates_senders:
            mlp(n_send, hd, hd, name)
            ops.append(ew(hd * n_send, 3, 1, block=name))

    # Embedding of the grid nodes (per sample) and the statics (per step in training).
    mlp(g, cin + 3, hd, "embed")
    mlp(m, 3, hd, "statics", per_step=True)
    mlp(e_mm, 4, hd, "statics", per_step=True)
    mlp(e_g2m, 4, hd, "statics", per_step=True)
    mlp(e_m2g, 4, hd, "statics", per_step=True)
    ops.append(mm(e_g2m, hd, hd, saved=hd * e_g2m, block="statics", per_step=True))  # encoder W_e e
    ops.append(mm(m, hd, hd, block="statics", per_step=True))                     # encoder W_r x_r
    ops.append(gather(hd * e_g2m, block="statics", per_step=True))
    ops.append(mm(e_m2g, hd, hd, saved=hd * e_m2g, block="statics", per_step=True))  # decoder W_e e
    if steps:
        ops.append(mm(e_mm, hd, hd, saved=hd * e_mm, block="statics", per_step=True))
    ops.append(ew(hd * m, 2, 0, block="embed"))                                   # mesh latents expanded
    interaction("encoder", g, m, e_g2m, updates_senders=True, edge_term_static=True, receivers_static=True)
    for i in range(steps):
        interaction(f"processor{i}", m, m, e_mm, edge_term_static=(i == 0))
        ops.append(ew(hd * e_mm, 3, 1, block=f"processor{i}"))                   # edge residual
    interaction("decoder", m, g, e_m2g, edge_term_static=True)
    mlp(g, hd, cout, "output", layer_norm=False)
    ops.append(ew(cout * g, 2, 0, block="output"))
    # Embedder parameters: grid, mesh, three edge sets (counted by mlp()); interaction()
    # counted edge + node MLPs; the encoder's sender MLP by mlp().
    cfg = dict(hidden=hidden, processor_steps=steps, mesh_level=mesh_level, aggregation="mean",
               mesh_nodes=m, multimesh_edges=e_mm, grid2mesh_edges=e_g2m, mesh2grid_edges=e_m2g)
    return Network("MeshGNN", size, grid, cfg, params, ops)


# ---------------------------------------------------------------------------- configurations
def mesh_level_for(grid: Grid) -> int:
    """The finest mesh no finer than the grid: M3 at 5.625°, M4 at 2.8125° and at 2°×3°,
    M6 (the finest Plume builds, GraphCast's) at 0.25°."""
    return {LOWRES.name: 3, MIDRES.name: 4, ORIGRES.name: 4, Q025.name: 6}[grid.name]


def build(arch: str, size: str, grid: Grid) -> Network:
    """Networks as the shipped model files (`size = "shipped"`) or CarbonBench's paper sizes
    (`"paper"`), adapted to grids they do not divide (stated in `note`)."""
    note = ""
    if arch == "unet":
        resize = None
        if grid.name == ORIGRES.name:
            resize, note = (96, 128), "resize 90×120 → 96×128 (multiples of 8)"
        elif grid.name == Q025.name:
            resize, note = (728, 1440), "resize 721×1440 → 728×1440 (multiples of 8)"
        if size == "shipped":   # Pipelines/models/unet-lowres-co2.yaml
            net = unet(grid, size, embed=32, depth=3, blocks=1, multiplier=2, resize=resize)
        else:                   # CarbonBench UNet M: embed 256, constant width, 2 blocks, resize
            if grid.name == LOWRES.name:
                resize, note = (48, 80), "resize 32×64 → 48×80 (CarbonBench)"
            elif grid.name == MIDRES.name:
                resize, note = (96, 160), "resize 64×128 → 96×160 (CarbonBench's 1.5×1.25 at LowRes)"
            elif grid.name == ORIGRES.name:
                resize, note = (136, 152), "resize 90×120 → 136×152 (1.5×1.25, multiples of 8)"
            net = unet(grid, size, embed=256, depth=3, blocks=2, multiplier=1, resize=resize)
    elif arch == "swin":
        window = (4, 8)
        if grid.name == ORIGRES.name:
            window, note = (5, 8), "window 5×8 (90 rows are not a multiple of 4)"
        elif grid.name == Q025.name:
            window, note = (7, 8), "window 7×8 (721 = 7·103 rows)"
        if size == "shipped":   # Pipelines/models/swin-lowres-co2.yaml
            net = swin(grid, size, embed=64, depth=4, heads=4, window=window, mlp_ratio=2)
        else:                   # CarbonBench Swin S
            net = swin(grid, size, embed=512, depth=12, heads=8, window=window, mlp_ratio=4)
    elif arch == "mesh-gnn":
        level = mesh_level_for(grid)
        note = f"multimesh M0–M{level}"
        if size == "shipped":   # Pipelines/models/mesh-gnn-lowres-co2.yaml (mesh_level 4 beyond LowRes)
            net = mesh_gnn(grid, size, hidden=64, steps=4, mesh_level=level)
        else:                   # CarbonBench's GraphCast-like GNN: hidden 256 (ladder (256, 8))
            net = mesh_gnn(grid, size, hidden=256, steps=8, mesh_level=level)
    else:
        raise ValueError(arch)
    net.note = note
    return net


ARCHS = ["unet", "mesh-gnn", "swin"]
ARCH_NAMES = {"unet": "U-Net", "mesh-gnn": "MeshGNN", "swin": "Swin"}
PAPER_PARAMS = {"unet": 9.6e6, "mesh-gnn": 5.2e6, "swin": 37.9e6}  # CarbonBench, LowRes


# ---------------------------------------------------------------------------- GPU assumptions
@dataclass(frozen=True)
class GPU:
    name: str = "H100 SXM"
    peak_bf16: float = 989e12      # dense bf16 tensor-core FLOP/s
    matmul_fraction: float = 0.40  # sustained share of the peak in large convolutions / GEMMs
    hbm: float = 3.35e12           # B/s
    hbm_fraction: float = 0.70     # sustained share of HBM bandwidth in element-wise kernels
    gather_fraction: float = 0.35  # ... in index_select / index_add (scattered rows, atomics)
    memory: float = 80e9
    usable: float = 0.90           # share of it for states and activations (workspace, fragmentation)
    nvlink: float = 450e9          # B/s per GPU within a node of 8 (NVLink 4, one direction)
    infiniband: float = 50e9       # B/s per GPU between nodes (400 Gb/s NDR)
    per_node: int = 8
    launch_s: float = 5e-6         # per kernel launch (eager execution)
    act_bytes: int = 2             # bf16 activations (autocast); states fp32 (16 B/param)


H100 = GPU()


def gpu_forward_seconds(net: Network, gpu: GPU, per_sample: bool, samples: float = 1.0, split: int = 1) -> float:
    """Roofline per operation, summed (eager execution, no fusion): a matrix product takes
    max(FLOPs / (matmul_fraction · peak), bytes / (hbm_fraction · HBM)); an element-wise pass
    bytes / (hbm_fraction · HBM); a gather/scatter bytes / (gather_fraction · HBM); plus one
    kernel launch per operation. `samples` scales the per-sample operations (a micro-batch);
    `split` divides the work (not the launches) over that many GPUs (ideal domain split)."""
    t = 0.0
    samples = samples / split
    for o in net.ops:
        if o.per_step == per_sample:
            continue
        n = samples if per_sample else 1.0
        bytes_ = gpu.act_bytes * o.traffic * n
        if o.kind == "mm":
            t += max(o.flops * n / (gpu.matmul_fraction * gpu.peak_bf16), bytes_ / (gpu.hbm_fraction * gpu.hbm))
        elif o.kind == "gather":
            t += bytes_ / (gpu.gather_fraction * gpu.hbm)
        else:
            t += bytes_ / (gpu.hbm_fraction * gpu.hbm)
        t += gpu.launch_s
    return t


def allreduce_seconds(params: int, ranks: int, gpu: GPU) -> tuple:
    """Ring all-reduce of fp32 gradients: 2·(W−1)/W·4·P bytes sent per rank; the ring's slowest
    link is NVLink within one node, InfiniBand across nodes."""
    if ranks <= 1:
        return 0.0, 0.0
    nbytes = 2 * (ranks - 1) / ranks * 4 * params
    link = gpu.nvlink if ranks <= gpu.per_node else gpu.infiniband
    return nbytes, nbytes / link


def train_step_gpu(net: Network, ranks: int, global_batch: int, gpu: GPU, recompute: bool = False) -> dict:
    """One data-parallel training step on `ranks` GPUs: global_batch / ranks samples each (with
    gradient accumulation over the micro-batches that fit); above global_batch ranks, each sample
    is split over ranks / global_batch GPUs, assumed ideal (no halo exchange counted).
    `recompute`: activation checkpointing, one more forward pass."""
    per_rank = global_batch / ranks
    fwd = gpu_forward_seconds(net, gpu, True, per_rank) + gpu_forward_seconds(net, gpu, False)
    compute = (4.0 if recompute else 3.0) * fwd + 2 * 16.0 * net.params / (gpu.hbm_fraction * gpu.hbm)  # + AdamW
    nbytes, comm = allreduce_seconds(net.params, ranks, gpu)
    return dict(compute=compute, comm=comm, bytes=nbytes, total=compute + comm,
                comm_share=comm / (compute + comm) if compute + comm else 0.0)


def gpus_for(net: Network, target_s: float, steps: int, global_batch: int, gpu: GPU,
             recompute: bool = False) -> tuple:
    """Smallest GPU count (1, 2, 4, 8, then whole nodes) finishing `steps` within `target_s`."""
    counts = [1, 2, 4] + [8 * k for k in range(1, 4097)]
    for w in counts:
        s = train_step_gpu(net, w, global_batch, gpu, recompute)
        if steps * s["total"] <= target_s:
            return w, s
    return None, train_step_gpu(net, counts[-1], global_batch, gpu, recompute)


# ---------------------------------------------------------------------------- measurements
def load_measurements(path: str | None) -> dict:
    if path:
        with open(path) as f:
            return json.load(f)
    return EMBEDDED_MEASUREMENTS


def measured(meas: dict, arch: str, res: str) -> dict:
    return meas["runs"][f"{arch}-{res}"]


# ---------------------------------------------------------------------------- reference transport
# BENCHMARKS.md, "Transport: 3D reference model", "Speed (acceptance 4)": CO2 only, 10 layers,
# Δt = 1 h, release build on the 2-vCPU VM (plume bench transport).
REFERENCE_SPEED = [  # (grid, cells × layers, simulated days, wall seconds of the model steps)
    ("latlon5.625", 20_480, 30, 1.94),
    ("latlon2x3", 108_000, 10, 2.87),
]


def reference_cost(cells_layers: int, dt_s: float, days: float, tracers: int) -> float:
    """Seconds on the 2-vCPU VM, scaled from the latlon2x3 measurement by cells × layers,
    steps (Δt) and tracers (linear)."""
    _, cl, d, s = REFERENCE_SPEED[1]
    per_cell_step = s / (cl * d * 24)  # Δt = 1 h there
    return per_cell_step * cells_layers * (days * 86400 / dt_s) * tracers


# ---------------------------------------------------------------------------- report
def hours(s: float) -> str:
    if s < 1:
        return f"{1000 * s:.0f} ms"
    if s < 10:
        return f"{s:.1f} s"
    if s < 120:
        return f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.0f} min"
    if s < 3 * 86400:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.1f} d"


def report(meas: dict, out=sys.stdout) -> None:
    w = lambda s="": print(s, file=out)
    batch = meas["batch"]
    w(f"Measurements: {meas['command']} ({meas['machine']}, {meas['date']})")
    w()

    # --- anchor points
    w("### Measured anchor points")
    w()
    w(f"Network-level steps, minima of 3 rounds × 10 iterations; training batch {batch}, rollout batch 1; "
      "peak RSS of the whole `plume` process (/usr/bin/time -v) at batch "
      f"{batch} and 1; per sample = (RSS_{batch} − RSS_1)/{batch - 1}.")
    w()
    w("| architecture | grid | params (bench / model) | input | train step (s) | rollout step (s) | peak RSS b=%d (MiB) | RSS b=1 (MiB) | per-sample Δ RSS (MiB) | model saved act./sample (MiB) | load avg before |" % batch)
    w("|---|---|---|---|---|---|---|---|---|---|---|")
    nets = {}
    for arch in ARCHS:
        for res, grid in (("lowres", LOWRES), ("midres", MIDRES)):
            m = measured(meas, arch, res)
            net = build(arch, "shipped", grid)
            nets[arch, res] = net
            b, b1 = m["batch"], m["batch1"]
            per = (b["max_rss_kB"] - b1["max_rss_kB"]) / 1024 / (batch - 1)
            w(f"| {ARCH_NAMES[arch]} | {grid.name} | {m['parameters']:,} / {net.params:,} | "
              f"{'×'.join(map(str, b['input_shape'] or []))} | {b['train_s']['min']:.4f} | {b['rollout_s']['min']:.4f} | "
              f"{b['max_rss_kB'] / 1024:.0f} | {b1['max_rss_kB'] / 1024:.0f} | {per:.1f} | "
              f"{net.act_sample_bytes() / 2**20:.1f} | {b['load_before']} |")
    w()

    # --- calibration and MidRes prediction
    w("### Calibration at LowRes, prediction at MidRes")
    w()
    w(f"Time: one effective throughput per architecture, R = model training FLOPs (batch {batch}) / measured LowRes "
      "training step; MidRes train = FLOPs_mid / R, rollout = forward FLOPs_mid (1 sample) / R. Memory: one factor per "
      "architecture, k = measured per-sample Δ RSS / modelled saved activations per sample at LowRes (backward "
      "transients, allocator slack, the batch tensors of the bench); MidRes per-sample = k · act_mid, and peak RSS = "
      f"RSS_1,low − (16·P + k·act)_low + (16·P + {batch}·k·act)_mid (the rest of RSS_1 — libtorch, the process, the "
      "data — taken as fixed). Error = (predicted − measured) / measured.")
    w()
    w(f"| architecture | train GFLOP/step LowRes → MidRes | R (GFLOP/s) | train MidRes predicted / measured (s) | error | rollout MidRes predicted / measured (s) | error | rollout LowRes predicted / measured (s) | k | per-sample Δ RSS MidRes predicted / measured (MiB) | error | peak RSS b={batch} MidRes predicted / measured (MiB) | error |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    calib, memk = {}, {}
    errors = {}
    err = lambda p, m: 100 * (p - m) / m
    for arch in ARCHS:
        lo, mi = nets[arch, "lowres"], nets[arch, "midres"]
        rl, rm = measured(meas, arch, "lowres"), measured(meas, arch, "midres")
        ml, mm_ = rl["batch"], rm["batch"]
        r = lo.train_flops(batch) / ml["train_s"]["min"]
        calib[arch] = r
        pt = mi.train_flops(batch) / r
        pr = mi.rollout_flops() / r
        prl = lo.rollout_flops() / r
        per_lo = (ml["max_rss_kB"] - rl["batch1"]["max_rss_kB"]) * 1024 / (batch - 1)
        per_mi = (mm_["max_rss_kB"] - rm["batch1"]["max_rss_kB"]) * 1024 / (batch - 1)
        k = per_lo / lo.act_sample_bytes()
        memk[arch] = k
        p_per = k * mi.act_sample_bytes()
        fixed = rl["batch1"]["max_rss_kB"] * 1024 - 16 * lo.params - k * (lo.act_sample_bytes() + lo.act_step_bytes())
        prss = fixed + 16 * mi.params + k * (batch * mi.act_sample_bytes() + mi.act_step_bytes())
        rss = mm_["max_rss_kB"] * 1024
        errors[arch] = dict(train=err(pt, mm_["train_s"]["min"]), rollout=err(pr, mm_["rollout_s"]["min"]),
                            per_sample=err(p_per, per_mi), rss=err(prss, rss))
        e = errors[arch]
        w(f"| {ARCH_NAMES[arch]} | {lo.train_flops(batch) / 1e9:.2f} → {mi.train_flops(batch) / 1e9:.2f} | {r / 1e9:.1f} | "
          f"{pt:.3f} / {mm_['train_s']['min']:.3f} | **{e['train']:+.0f}%** | "
          f"{pr:.4f} / {mm_['rollout_s']['min']:.4f} | **{e['rollout']:+.0f}%** | "
          f"{prl:.4f} / {ml['rollout_s']['min']:.4f} | {k:.2f} | {p_per / 2**20:.0f} / {per_mi / 2**20:.0f} | **{e['per_sample']:+.0f}%** | "
          f"{prss / 2**20:.0f} / {rss / 2**20:.0f} | **{e['rss']:+.0f}%** |")
    w()
    ref = calib["unet"]
    w("CPU efficiency relative to the U-Net (R / R_U-Net): " + ", ".join(
        f"{ARCH_NAMES[a]} {calib[a] / ref:.2f}" for a in ARCHS) + ".")
    w()
    fits = []
    for arch in ARCHS:
        lo, mi = nets[arch, "lowres"], nets[arch, "midres"]
        tl = measured(meas, arch, "lowres")["batch"]["train_s"]["min"]
        tm = measured(meas, arch, "midres")["batch"]["train_s"]["min"]
        fl, fm = lo.train_flops(batch), mi.train_flops(batch)
        r2 = (fm - fl) / (tm - tl)
        fits.append(f"{ARCH_NAMES[arch]} t0 = {1000 * (tl - fl / r2):.0f} ms, R = {r2 / 1e9:.0f} GFLOP/s")
    w("Diagnostic only (it uses the MidRes point, so it is not a check): the two-point fit "
      "t = t0 + FLOPs / R of the training steps gives " + "; ".join(fits) + ".")
    w()

    # --- projections
    w("### Projection per architecture (fp32 activation bytes; FLOPs per sample unless stated)")
    w()
    w("| architecture | size | grid | params | fwd GFLOP/sample | train TFLOP/step (b=64) | saved act./sample (GB) | checkpointed act./sample (GB) | weights+AdamW (GB) | all-reduce/rank/step, W→∞ (MB) | CPU train step b=4, this VM (predicted) | notes |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|")
    proj = {}
    for size in ("shipped", "paper"):
        for arch in ARCHS:
            for grid in (LOWRES, MIDRES, ORIGRES, Q025):
                net = build(arch, size, grid)
                proj[arch, size, grid.name] = net
                extra = net.note
                if arch == "mesh-gnn":
                    c = net.config
                    extra += f"; M={c['mesh_nodes']:,}, E_mm={c['multimesh_edges']:,}, E_g2m={c['grid2mesh_edges']:,}, E_m2g={c['mesh2grid_edges']:,}"
                    if net.fwd_step:
                        extra += f"; statics {net.fwd_step / 1e9:.2f} GFLOP/step"
                if size == "paper" and grid is LOWRES:
                    extra += f"; paper: {PAPER_PARAMS[arch] / 1e6:.1f} M params"
                w(f"| {ARCH_NAMES[arch]} | {size} | {grid.name} | {net.params / 1e6:.2f} M | {net.fwd_sample / 1e9:.3g} | "
                  f"{net.train_flops(64) / 1e12:.3g} | {net.act_sample_bytes() / 1e9:.3g} | {net.checkpointed_sample_bytes() / 1e9:.3g} | "
                  f"{16 * net.params / 1e9:.3g} | {8 * net.params / 1e6:.3g} | {hours(net.train_flops(4) / calib[arch])} | {extra} |")
    w()

    # --- cluster sizing: training
    gpu = H100
    steps, gb = 100_000, 64
    w(f"### Cluster size for a CarbonBench-scale training: {steps:,} steps at global batch {gb} ({gpu.name})")
    w()
    w("| architecture | size | grid | train PFLOP total | modelled MFU (1 GPU) | GPU-days | GPUs for 1 week | GPUs for 1 day | step at 1 day (s) | all-reduce share at 1 day | k × act./sample, bf16 (GB) | fits one GPU (72 of 80 GB)? |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for size in ("shipped", "paper"):
        for arch in ARCHS:
            for grid in (ORIGRES, Q025):
                net = proj[arch, size, grid.name]
                act = memk[arch] * net.act_sample_bytes(gpu.act_bytes)
                ck = memk[arch] * net.checkpointed_sample_bytes(gpu.act_bytes)
                free = gpu.usable * gpu.memory - 16 * net.params - memk[arch] * net.act_step_bytes(gpu.act_bytes)
                recompute = act > free
                if not recompute:
                    fits = f"yes, {int(free // act)} per GPU"
                elif ck <= free:
                    fits = f"with block checkpointing ({ck / 1e9:.1f} GB/sample; +1 forward, counted)"
                else:
                    fits = (f"no: {ck / 1e9:.0f} GB/sample even checkpointed: split each sample over "
                            f"≥ {math.ceil(ck / free)} GPUs (spatial / graph partition)")
                one = train_step_gpu(net, 1, gb, gpu, recompute)
                mfu = net.train_flops(gb) / (one["total"] * gpu.peak_bf16)
                gpu_days = steps * one["total"] / 86400
                wk, _ = gpus_for(net, 7 * 86400, steps, gb, gpu, recompute)
                dy, sd = gpus_for(net, 86400, steps, gb, gpu, recompute)
                w(f"| {ARCH_NAMES[arch]} | {size} | {grid.name} | {net.train_flops(gb) * steps / 1e15:.3g} | {100 * mfu:.1f}% | "
                  f"{gpu_days:.3g} | {wk if wk else '> 32k'} | {dy if dy else '> 32k'}{' (> batch: intra-sample parallel)' if dy and dy > gb else ''} | "
                  f"{sd['total']:.3g} | {100 * sd['comm_share']:.1f}% | {act / 1e9:.3g} | {fits} |")
    w()

    # --- rollout
    years, members = 10, (1, 32)
    nsteps = round(years * 365.25 * 24 / 6)
    w(f"### A {years}-year 0.25° tracer rollout: {nsteps:,} steps of 6 h ({gpu.name}, bf16 inference)")
    w()
    w("| architecture | size | fwd TFLOP/step/member | modelled MFU (32 members) | GPU s/step (1 member) | GPU-hours, 1 member | GPU-hours, 32 members | wall, 1 member on 1 GPU | wall, 1 member on 8 GPUs (ideal split) | wall, 32 members on 1 GPU | wall, 32 members on 8 GPUs | working set per member (GB) |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for size in ("shipped", "paper"):
        for arch in ARCHS:
            net = proj[arch, size, Q025.name]
            t1 = gpu_forward_seconds(net, gpu, True, 1)
            t32 = gpu_forward_seconds(net, gpu, True, 32)
            t4 = gpu_forward_seconds(net, gpu, True, 4)
            t1s = gpu_forward_seconds(net, gpu, True, 1, split=8)
            ws = 3 * net.largest_tensor() * gpu.act_bytes
            mfu = 32 * net.fwd_sample / (t32 * gpu.peak_bf16)
            w(f"| {ARCH_NAMES[arch]} | {size} | {net.fwd_sample / 1e12:.3g} | {100 * mfu:.1f}% | {t1:.3g} | {nsteps * t1 / 3600:.3g} | "
              f"{nsteps * t32 / 3600:.3g} | {hours(nsteps * t1)} | {hours(nsteps * t1s)} | {hours(nsteps * t32)} | {hours(nsteps * t4)} | {ws / 1e9:.2g} |")
    w()
    cl = Q025.cells * Q025.levels
    refs = {dt: reference_cost(cl, dt, years * 365.25, 1) for dt in (300.0, 450.0)}
    w(f"Reference transport (Plume's 3-D model, float64, CPU) at 0.25°, {Q025.levels} levels, scaled from its measured "
      f"{REFERENCE_SPEED[1][3] / (REFERENCE_SPEED[1][1] * REFERENCE_SPEED[1][2] * 24) * 1e9:.0f} ns per cell-layer-step "
      f"at latlon2x3 (Δt = 1 h) on this 2-vCPU VM by cells × levels and by the CFL step: Δt scaled with the grid spacing, "
      f"5 min (3° → 0.25° zonally, ×12) or 7.5 min (2° → 0.25° meridionally, ×8). 10 years, 1 tracer: "
      f"{refs[300.0] / 3600:,.0f} VM-hours (Δt 5 min) or {refs[450.0] / 3600:,.0f} (7.5 min); 32 tracers: "
      f"{32 * refs[300.0] / 3600:,.0f} or {32 * refs[450.0] / 3600:,.0f} VM-hours (cost linear in tracers).")
    w()
    w("Same-hardware comparison on this 2-vCPU VM (emulator rollout = forward FLOPs / its calibrated R, processing not "
      "counted), 10 years at 0.25°, 1 member or tracer:")
    w()
    w("| architecture | size | emulator VM-hours | reference VM-hours (Δt 5 min) | reference / emulator |")
    w("|---|---|---|---|---|")
    for size in ("shipped", "paper"):
        for arch in ARCHS:
            net = proj[arch, size, Q025.name]
            emu = nsteps * net.rollout_flops() / calib[arch]
            w(f"| {ARCH_NAMES[arch]} | {size} | {emu / 3600:,.0f} | {refs[300.0] / 3600:,.0f} | {refs[300.0] / emu:.2g}× |")
    w()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--measurements", help="JSON written by Benchmarks/cost_model.sh (default: the embedded one)")
    ap.add_argument("--dump-measurements", action="store_true", help="print the measurements used and exit")
    args = ap.parse_args(argv)
    meas = load_measurements(args.measurements)
    if meas is None:
        print("no embedded measurements: run Benchmarks/cost_model.sh and pass --measurements", file=sys.stderr)
        return 1
    if args.dump_measurements:
        json.dump(meas, sys.stdout, indent=1, sort_keys=True)
        return 0
    report(meas)
    return 0


# Embedded anchor measurements: `REPEATS=10 ROUNDS=3 Benchmarks/cost_model.sh` on 2026-12-07
# (2-vCPU AMD EPYC VM shared with two other workers; load averages in each run's record).
EMBEDDED_MEASUREMENTS = json.loads(r'''
{
 "batch": 4,
 "command": ".build/release/plume bench emulators --data DATA --no-python --reference-days 0 --truth-grid none --batch 4 --repeats 10 --warmup 2 --rounds 3 --threads 2",
 "date": "2026-12-07T04:12:03",
 "machine": "2 cores, AMD EPYC",
 "threads": 2,
 "runs": {
  "mesh-gnn-lowres": {"model": "mesh-gnn", "name": "mesh-gnn-lowres-co2", "parameters": 216586, "resolution": "lowres",
   "batch": {"batch": 4, "emulator_rollout_s": {"median": 0.021686623000000002, "min": 0.020706468}, "emulator_train_s": {"median": 0.668978861, "min": 0.492675232}, "input_shape": [4, 83, 32, 64], "load_after": "2.92 2.53 2.73", "load_before": "2.28 2.33 2.69", "max_rss_kB": 576472, "rollout_s": {"median": 0.0290407985, "min": 0.022456454}, "train_s": {"median": 0.6792721669999999, "min": 0.453244225}},
   "batch1": {"batch": 1, "emulator_rollout_s": {"median": 0.0193612025, "min": 0.019050758}, "emulator_train_s": {"median": 0.2956484075, "min": 0.20027964}, "input_shape": [1, 83, 32, 64], "load_after": "2.92 2.53 2.74", "load_before": "2.92 2.53 2.73", "max_rss_kB": 330068, "rollout_s": {"median": 0.0318239535, "min": 0.026836509}, "train_s": {"median": 0.3287518945, "min": 0.320924445}}},
  "mesh-gnn-midres": {"model": "mesh-gnn", "name": "mesh-gnn-midres-co2", "parameters": 221716, "resolution": "midres",
   "batch": {"batch": 4, "emulator_rollout_s": {"median": 0.1608858435, "min": 0.105677193}, "emulator_train_s": {"median": 1.9565501035000001, "min": 1.789947924}, "input_shape": [4, 153, 64, 128], "load_after": "2.84 2.70 2.75", "load_before": "2.58 2.56 2.72", "max_rss_kB": 1686424, "rollout_s": {"median": 0.159131153, "min": 0.09987304}, "train_s": {"median": 2.0935651809999998, "min": 1.788219926}},
   "batch1": {"batch": 1, "emulator_rollout_s": {"median": 0.2201061135, "min": 0.201060543}, "emulator_train_s": {"median": 0.92860743, "min": 0.905091744}, "input_shape": [1, 153, 64, 128], "load_after": "2.67 2.66 2.74", "load_before": "2.84 2.70 2.75", "max_rss_kB": 634916, "rollout_s": {"median": 0.293035049, "min": 0.291840669}, "train_s": {"median": 1.1124625460000002, "min": 1.043851453}}},
  "swin-lowres": {"model": "swin", "name": "swin-lowres-co2", "parameters": 154282, "resolution": "lowres",
   "batch": {"batch": 4, "emulator_rollout_s": {"median": 0.0399105715, "min": 0.033179699}, "emulator_train_s": {"median": 0.6715980955, "min": 0.445173652}, "input_shape": [4, 83, 32, 64], "load_after": "2.97 2.61 2.75", "load_before": "2.92 2.53 2.74", "max_rss_kB": 553404, "rollout_s": {"median": 0.0542779135, "min": 0.039073367}, "train_s": {"median": 0.572705456, "min": 0.44393494}},
   "batch1": {"batch": 1, "emulator_rollout_s": {"median": 0.0420069695, "min": 0.026277065}, "emulator_train_s": {"median": 0.11266688799999999, "min": 0.111006848}, "input_shape": [1, 83, 32, 64], "load_after": "2.81 2.58 2.74", "load_before": "2.97 2.61 2.75", "max_rss_kB": 304592, "rollout_s": {"median": 0.0282213235, "min": 0.025082495}, "train_s": {"median": 0.097240571, "min": 0.091549644}}},
  "swin-midres": {"model": "swin", "name": "swin-midres-co2", "parameters": 159412, "resolution": "midres",
   "batch": {"batch": 4, "emulator_rollout_s": {"median": 0.2506948935, "min": 0.162813706}, "emulator_train_s": {"median": 2.154753349, "min": 1.877741373}, "input_shape": [4, 153, 64, 128], "load_after": "3.55 3.73 3.24", "load_before": "2.67 2.66 2.74", "max_rss_kB": 1560016, "rollout_s": {"median": 0.268123919, "min": 0.206439183}, "train_s": {"median": 2.16808747, "min": 1.891356172}},
   "batch1": {"batch": 1, "emulator_rollout_s": {"median": 0.259554509, "min": 0.203738246}, "emulator_train_s": {"median": 0.6553499875, "min": 0.627691885}, "input_shape": [1, 153, 64, 128], "load_after": "3.51 3.72 3.24", "load_before": "3.55 3.73 3.24", "max_rss_kB": 550840, "rollout_s": {"median": 0.19578703949999998, "min": 0.192629626}, "train_s": {"median": 0.6654274984999999, "min": 0.501547733}}},
  "unet-lowres": {"model": "unet", "name": "unet-lowres-co2", "parameters": 1475082, "resolution": "lowres",
   "batch": {"batch": 4, "emulator_rollout_s": {"median": 0.027227840000000003, "min": 0.014402802}, "emulator_train_s": {"median": 0.157208194, "min": 0.091866315}, "input_shape": [4, 83, 32, 64], "load_after": "2.28 2.33 2.69", "load_before": "1.49 2.20 2.65", "max_rss_kB": 302092, "rollout_s": {"median": 0.014597450500000001, "min": 0.011205214}, "train_s": {"median": 0.14485961549999998, "min": 0.102277858}},
   "batch1": {"batch": 1, "emulator_rollout_s": {"median": 0.0343358115, "min": 0.032617119}, "emulator_train_s": {"median": 0.040071371999999994, "min": 0.03971092}, "input_shape": [1, 83, 32, 64], "load_after": "2.28 2.33 2.69", "load_before": "2.28 2.33 2.69", "max_rss_kB": 274276, "rollout_s": {"median": 0.012881107499999999, "min": 0.012811603}, "train_s": {"median": 0.143925983, "min": 0.034973617}}},
  "unet-midres": {"model": "unet", "name": "unet-midres-co2", "parameters": 1585172, "resolution": "midres",
   "batch": {"batch": 4, "emulator_rollout_s": {"median": 0.043959718999999994, "min": 0.038574999}, "emulator_train_s": {"median": 0.536745466, "min": 0.378050899}, "input_shape": [4, 153, 64, 128], "load_after": "2.54 2.55 2.72", "load_before": "2.81 2.58 2.74", "max_rss_kB": 509600, "rollout_s": {"median": 0.051481283, "min": 0.045905111}, "train_s": {"median": 0.573086836, "min": 0.430152546}},
   "batch1": {"batch": 1, "emulator_rollout_s": {"median": 0.050369072, "min": 0.048067857}, "emulator_train_s": {"median": 0.12224863250000001, "min": 0.11819712}, "input_shape": [1, 153, 64, 128], "load_after": "2.58 2.56 2.72", "load_before": "2.54 2.55 2.72", "max_rss_kB": 330680, "rollout_s": {"median": 0.0414464885, "min": 0.037856778}, "train_s": {"median": 0.114201166, "min": 0.089980104}}}
 }
}
''')

if __name__ == "__main__":
    sys.exit(main())
