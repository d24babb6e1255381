"""PyTorch 1.13 twin of Plume's `Swin` emulator network (Sources/PlumeEmulators/Networks/Swin.swift).

Same modules, same state-dict names and shapes as the Swift `stateDict()`, so weights load
strictly both ways:

    embedding.{weight,bias}                              Conv2d, kernel = stride = patch
    blocks.<i>.attention.qkv.{weight,bias}               [3*embed, embed]
    blocks.<i>.attention.proj.{weight,bias}              [embed, embed]
    blocks.<i>.attention.logit_scale                     [heads, 1, 1]
    blocks.<i>.attention.cpb.mlp.layers.{0,1}.{weight,bias}
    blocks.<i>.norm1.{weight,bias}, blocks.<i>.norm2.{weight,bias}
    blocks.<i>.mlp.layers.{0,1}.{weight,bias}
    head.{weight,bias}                                   [out*patch_lat*patch_lon, embed]

Tensors are [batch, channels, lat, lon], latitudes south to north, longitude periodic.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

DEFAULTS = {"embed": 128, "depth": 4, "heads": 4, "window": [4, 8], "patch": [1, 1],
            "mlp_ratio": 4.0, "position_bias_hidden": 512}


class MLP(nn.Module):
    """Linear layers with `activation` between them (none after the last)."""

    def __init__(self, sizes, activation):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.activation = activation

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = self.activation(x)
        return x


def log_spaced(d, size):
    """Offsets in patches scaled to +-8 across the window, then sign(x)*log2(1+|x|)/log2(8)."""
    x = d / (size - 1) * 8 if size > 1 else torch.zeros_like(d)
    return torch.sign(x) * torch.log2(1 + x.abs()) / math.log2(8)


class RelativePositionBias(nn.Module):
    """Swin V2 continuous position bias: 16*sigmoid(MLP(log-spaced offset)), [heads, N, N]."""

    def __init__(self, window, heads, hidden):
        super().__init__()
        wy, wx = window
        self.mlp = MLP([2, hidden, heads], F.relu)
        dy = torch.arange(-(wy - 1), wy, dtype=torch.float64)
        dx = torch.arange(-(wx - 1), wx, dtype=torch.float64)
        table = torch.stack(torch.meshgrid(log_spaced(dy, wy), log_spaced(dx, wx), indexing="ij"), dim=-1)
        self.register_buffer("table", table.reshape(-1, 2).float(), persistent=False)
        y, x = torch.meshgrid(torch.arange(wy), torch.arange(wx), indexing="ij")
        y, x = y.flatten(), x.flatten()
        index = (y[:, None] - y[None, :] + wy - 1) * (2 * wx - 1) + (x[:, None] - x[None, :] + wx - 1)
        self.register_buffer("index", index.flatten(), persistent=False)
        self.tokens = wy * wx

    def forward(self):
        bias = self.mlp(self.table)[self.index]                       # [N*N, heads]
        return 16 * bias.reshape(self.tokens, self.tokens, -1).permute(2, 0, 1).sigmoid()


def partition(x, window):
    """[B, H, W, C] -> [B, windows, tokens, C]."""
    b, h, w, c = x.shape
    wy, wx = window
    x = x.reshape(b, h // wy, wy, w // wx, wx, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(b, -1, wy * wx, c)


def merge(windows, window, grid):
    """[B, windows, tokens, C] -> [B, H, W, C]."""
    b, _, _, c = windows.shape
    (wy, wx), (h, w) = window, grid
    x = windows.reshape(b, h // wy, w // wx, wy, wx, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(b, h, w, c)


def latitude_mask(grid, window, shift):
    """[windows, 1, N, N] bool: rows rolled from the southern edge to the end of the grid and
    the other rows do not attend to each other; longitude wraps freely (no mask)."""
    h, w = grid
    south = (torch.arange(h) >= h - shift[0])[:, None].expand(h, w)
    groups = partition(south[None, :, :, None], window)[0, :, :, 0]   # [windows, N]
    return (groups[:, :, None] == groups[:, None, :])[:, None]


class WindowAttention(nn.Module):
    """Scaled-cosine multi-head attention within windows with a continuous position bias."""

    def __init__(self, embed, heads, window, position_bias_hidden):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(embed, 3 * embed)
        self.proj = nn.Linear(embed, embed)
        self.logit_scale = nn.Parameter(torch.full((heads, 1, 1), math.log(10.0)))
        self.cpb = RelativePositionBias(window, heads, position_bias_hidden)

    def forward(self, x, mask=None):
        b, w, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, w, n, 3, self.heads, c // self.heads).permute(3, 0, 1, 4, 2, 5)
        scale = self.logit_scale.clamp(max=math.log(100.0)).exp()
        q = F.normalize(q, dim=-1) * scale
        k = F.normalize(k, dim=-1)
        logits = q @ k.transpose(-2, -1) + self.cpb()
        if mask is not None:
            logits = logits.masked_fill(~mask, float("-inf"))
        out = logits.softmax(dim=-1) @ v                                # [b, w, heads, n, d]
        return self.proj(out.permute(0, 1, 3, 2, 4).reshape(b, w, n, c))


class SwinBlock(nn.Module):
    """Res-post-norm block: x + norm1(attention(x)), then x + norm2(mlp(x))."""

    def __init__(self, embed, heads, mlp_hidden, position_bias_hidden, grid, window, shift):
        super().__init__()
        self.attention = WindowAttention(embed, heads, window, position_bias_hidden)
        self.norm1 = nn.LayerNorm(embed)
        self.mlp = MLP([embed, mlp_hidden, embed], F.gelu)
        self.norm2 = nn.LayerNorm(embed)
        self.grid, self.window, self.shift = grid, window, tuple(shift)
        mask = latitude_mask(grid, window, shift) if shift[0] > 0 else None
        self.register_buffer("mask", mask, persistent=False)

    def forward(self, x):
        shifted = self.shift != (0, 0)
        rolled = torch.roll(x, (-self.shift[0], -self.shift[1]), dims=(1, 2)) if shifted else x
        attended = merge(self.attention(partition(rolled, self.window), self.mask), self.window, self.grid)
        if shifted:
            attended = torch.roll(attended, self.shift, dims=(1, 2))
        x = x + self.norm1(attended)
        return x + self.norm2(self.mlp(x))


class Swin(nn.Module):
    """[batch, input_channels, lat, lon] -> [batch, output_channels, lat, lon]."""

    def __init__(self, config: dict, input_channels: int, output_channels: int, lat_deg: list, lon_deg: list):
        super().__init__()
        c = {**DEFAULTS, **config}
        embed, heads, window, patch = c["embed"], c["heads"], list(c["window"]), list(c["patch"])
        self.grid = (len(lat_deg), len(lon_deg))
        tokens = (self.grid[0] // patch[0], self.grid[1] // patch[1])
        if self.grid[0] % patch[0] or self.grid[1] % patch[1] or tokens[0] % window[0] or tokens[1] % window[1]:
            raise ValueError(f"grid {self.grid} in patches {patch} is not divisible by window {window}")
        self.patch, self.output_channels = patch, output_channels
        self.embedding = nn.Conv2d(input_channels, embed, kernel_size=patch, stride=patch)
        mlp_hidden = int(embed * c["mlp_ratio"])
        self.blocks = nn.ModuleList(
            SwinBlock(embed, heads, mlp_hidden, c["position_bias_hidden"], tokens, window,
                      (window[0] // 2, window[1] // 2) if i % 2 == 1 else (0, 0))
            for i in range(c["depth"]))
        self.head = nn.Linear(embed, output_channels * patch[0] * patch[1])

    def forward(self, x):
        b = x.shape[0]
        (h, w), (py, px) = self.grid, self.patch
        x = self.embedding(x).permute(0, 2, 3, 1)
        for block in self.blocks:
            x = block(x)
        x = self.head(x).reshape(b, h // py, w // px, self.output_channels, py, px)
        return x.permute(0, 3, 1, 4, 2, 5).reshape(b, self.output_channels, h, w)
