"""PyTorch twin of Plume's `UNet` (Sources/PlumeEmulators/Networks/UNet.swift).

CarbonBench's U-Net (Benson et al. 2024) on a latitude-longitude grid:
[batch, input_channels, lat, lon] -> [batch, output_channels, lat, lon]. Every convolution
wraps around in longitude and pads latitude with zeros. The state dict has the same names
and shapes as the Swift network's `stateDict()`, so checkpoints interchange.

Written for PyTorch 1.13.
"""

import torch
import torch.nn.functional as F
from torch import nn

DEFAULTS = {
    "embed": 64,
    "depth": 3,
    "blocks": 1,
    "resize": [],
    "channel_multiplier": 2,
    "kernel": 3,
    "stem_kernel": 7,
    "latitude_padding": "zeros",
}

NEGATIVE_SLOPE = 0.01


class LongitudeCircularConv2d(nn.Conv2d):
    """Conv2d padding longitude (last dim) circularly and latitude with zeros ("zeros") or with
    the rows across the pole ("poles": row k beyond a pole is row k - 1 from that pole at the
    longitude 180 degrees away)."""

    def __init__(self, in_channels, out_channels, kernel_size, bias=True, latitude_padding="zeros"):
        if latitude_padding not in ("zeros", "poles"):
            raise ValueError(f"latitude_padding must be 'zeros' or 'poles', got {latitude_padding!r}")
        lat_pad = kernel_size // 2 if latitude_padding == "zeros" else 0
        super().__init__(in_channels, out_channels, kernel_size, padding=(lat_pad, 0), bias=bias)
        self.pad = kernel_size // 2
        self.over_poles = latitude_padding == "poles"

    def forward(self, x):
        p = self.pad
        if p > 0 and self.over_poles:
            height, width = x.shape[-2], x.shape[-1]
            across = (torch.arange(width, device=x.device) + width // 2) % width
            north = x[..., list(range(p - 1, -1, -1)), :][..., across]
            south = x[..., list(range(height - 1, height - 1 - p, -1)), :][..., across]
            x = torch.cat([north, x, south], dim=-2)
        if p > 0:
            x = F.pad(x, (p, p, 0, 0), mode="circular")
        return super().forward(x)


class UNetBlock(nn.Module):
    """conv (no bias) -> LeakyReLU -> BatchNorm2d, plus the input when channels are kept."""

    def __init__(self, in_channels, out_channels, kernel, latitude_padding="zeros"):
        super().__init__()
        if kernel <= 0 or kernel % 2 == 0:
            raise ValueError(f"kernel must be a positive odd number, got {kernel}")
        self.conv = LongitudeCircularConv2d(in_channels, out_channels, kernel, bias=False,
                                            latitude_padding=latitude_padding)
        self.norm = nn.BatchNorm2d(out_channels)
        self.residual = in_channels == out_channels

    def forward(self, x):
        y = self.norm(F.leaky_relu(self.conv(x), NEGATIVE_SLOPE))
        return y + x if self.residual else y


class UNetStage(nn.Module):
    def __init__(self, in_channels, out_channels, count, kernel, latitude_padding="zeros"):
        super().__init__()
        if count < 1:
            raise ValueError(f"needs at least one block, got blocks = {count}")
        self.blocks = nn.ModuleList(
            UNetBlock(in_channels if i == 0 else out_channels, out_channels, kernel, latitude_padding)
            for i in range(count)
        )

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return x


class UNet(nn.Module):
    def __init__(self, config: dict, input_channels: int, output_channels: int, lat_deg: list, lon_deg: list):
        super().__init__()
        cfg = {**DEFAULTS, **config}
        unknown = set(config) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"unknown UNet configuration keys: {sorted(unknown)}")
        depth, blocks, kernel = cfg["depth"], cfg["blocks"], cfg["kernel"]
        pad = cfg["latitude_padding"]
        self.grid_shape = (len(lat_deg), len(lon_deg))
        resize = list(cfg["resize"])
        if resize and (len(resize) != 2 or min(resize) <= 0):
            raise ValueError(f"resize must be [lat, lon] of positive sizes, got {resize}")
        self.working_shape = tuple(resize) if resize else self.grid_shape
        factor = 2**depth
        if any(n % factor for n in self.working_shape):
            raise ValueError(f"{self.working_shape[0]} x {self.working_shape[1]} cannot be halved {depth} times")
        self.input_channels = input_channels

        channels = [cfg["embed"] * cfg["channel_multiplier"] ** level for level in range(depth + 1)]
        self.stem = UNetBlock(input_channels, channels[0], cfg["stem_kernel"], pad)
        self.encoder = nn.ModuleList(
            UNetStage(channels[level - 1], channels[level], blocks, kernel, pad) for level in range(1, depth + 1)
        )
        levels = range(depth, 0, -1)
        self.decoder = nn.ModuleList(
            [UNetStage(channels[level], channels[level], blocks, kernel, pad) for level in levels]
            + [UNetStage(channels[0], channels[0], blocks, kernel, pad)]
        )
        self.upsample = nn.ModuleList(
            nn.ConvTranspose2d(channels[level], channels[level - 1], 2, stride=2) for level in levels
        )
        self.readout = nn.Conv2d(channels[0], output_channels, 1)

    def forward(self, x):
        if x.dim() != 4 or x.shape[1] != self.input_channels or tuple(x.shape[2:]) != self.grid_shape:
            raise ValueError(f"input has shape {tuple(x.shape)}, expected [batch, {self.input_channels}, *{self.grid_shape}]")
        resized = self.working_shape != self.grid_shape
        if resized:
            x = F.interpolate(x, size=self.working_shape, mode="bilinear", align_corners=False)
        x = self.stem(x)
        skips = []
        for stage in self.encoder:
            skips.append(x)
            x = stage(F.max_pool2d(x, 2))
        for stage, up in zip(self.decoder, self.upsample):
            x = up(stage(x)) + skips.pop()
        x = self.decoder[-1](x)
        if resized:
            x = F.interpolate(x, size=self.grid_shape, mode="bilinear", align_corners=False)
        return self.readout(x)
