"""PyTorch twin of Plume's MeshGNN (Sources/PlumeEmulators/Networks/MeshGNN.swift).

GraphCast-style encoder-processor-decoder on the icosahedral multimesh. The graphs are not
rebuilt here: ``graph`` holds the ``graph.*`` buffers of a Swift checkpoint (senders and
receivers int64, node and edge features float32), so the state dict names and shapes are
identical to Swift's and ``load_state_dict`` of a Swift safetensors file is strict.

Written for torch 1.13.
"""
import torch
from torch import nn
import torch.nn.functional as F

NODE_FEATURES = 3  # cos lat, sin lon, cos lon
EDGE_FEATURES = 4  # length, displacement (radial, east, north) in the receiver's frame

GRAPH_BUFFERS = (
    "grid_nodes", "mesh_nodes",
    "grid2mesh_senders", "grid2mesh_receivers", "grid2mesh_features",
    "multimesh_senders", "multimesh_receivers", "multimesh_features",
    "mesh2grid_senders", "mesh2grid_receivers", "mesh2grid_features",
)


class GraphMLP(nn.Module):
    """Linear - SiLU - Linear - LayerNorm (no LayerNorm for the output head)."""

    def __init__(self, in_features, hidden, out_features, layer_norm=True):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc2 = nn.Linear(hidden, out_features)
        self.norm = nn.LayerNorm(out_features) if layer_norm else None

    def forward(self, x):
        return self.finish(self.fc1(x))

    def finish(self, first):
        """The layers after fc1, applied to fc1's output."""
        x = self.fc2(F.silu(first))
        return self.norm(x) if self.norm is not None else x


class MeshGraphBuffers(nn.Module):
    """The three graphs and static features as buffers (names as in Swift)."""

    def __init__(self, graph):
        super().__init__()
        for name in GRAPH_BUFFERS:
            tensor = graph[name]
            if name.endswith("_senders") or name.endswith("_receivers"):
                tensor = tensor.to(torch.int64)
            else:
                tensor = tensor.to(torch.float32)
            self.register_buffer(name, tensor.clone())


def aggregate(messages, receivers, node_count, aggregation):
    """Scatter-add [batch, edges, f] onto [batch, nodes, f]; mean divides by in-degree."""
    out = messages.new_zeros(messages.shape[0], node_count, messages.shape[2])
    out.index_add_(1, receivers, messages)
    if aggregation == "mean":
        degree = torch.zeros(node_count, dtype=messages.dtype, device=messages.device)
        degree.index_add_(0, receivers, torch.ones_like(receivers, dtype=messages.dtype))
        out = out / degree.clamp(min=1).unsqueeze(-1)
    return out


class InteractionNetwork(nn.Module):
    """One message-passing step with residuals on edges, receivers (and senders if asked)."""

    def __init__(self, hidden, updates_senders=False):
        super().__init__()
        self.edge = GraphMLP(3 * hidden, hidden, hidden)
        self.node = GraphMLP(2 * hidden, hidden, hidden)
        self.sender = GraphMLP(hidden, hidden, hidden) if updates_senders else None

    def forward(self, edges, senders, receivers, sender_index, receiver_index, aggregation):
        # edge.fc1 of cat([edges, senders[s], receivers[r]]) computed in parts (nodes are
        # projected before the gather), as GraphCast does; edges may be [E, h] (broadcast).
        hidden = edges.shape[-1]
        w_edge, w_sender, w_receiver = self.edge.fc1.weight.split(hidden, dim=1)
        first = (F.linear(edges, w_edge, self.edge.fc1.bias)
                 + F.linear(senders, w_sender)[:, sender_index]
                 + F.linear(receivers, w_receiver)[:, receiver_index])
        messages = self.edge.finish(first)
        aggregated = aggregate(messages, receiver_index, receivers.shape[1], aggregation)
        update = self.node(torch.cat([receivers, aggregated], dim=-1))
        new_senders = senders + self.sender(senders) if self.sender is not None else senders
        return edges + messages, new_senders, receivers + update


class GraphEmbedding(nn.Module):
    def __init__(self, input_channels, hidden):
        super().__init__()
        self.grid = GraphMLP(input_channels + NODE_FEATURES, hidden, hidden)
        self.mesh = GraphMLP(NODE_FEATURES, hidden, hidden)
        self.grid2mesh = GraphMLP(EDGE_FEATURES, hidden, hidden)
        self.multimesh = GraphMLP(EDGE_FEATURES, hidden, hidden)
        self.mesh2grid = GraphMLP(EDGE_FEATURES, hidden, hidden)


class MeshGNN(nn.Module):
    """[batch, input_channels, lat, lon] -> [batch, output_channels, lat, lon].

    ``config``: ``hidden``, ``processor_steps``, ``aggregation`` ("sum" or "mean"); the mesh
    level is implied by ``graph``. ``graph``: the ``graph.*`` tensors of a Swift state dict,
    keyed without the ``graph.`` prefix (or with it).
    """

    def __init__(self, config: dict, input_channels: int, output_channels: int,
                 lat_deg: list, lon_deg: list, graph: dict):
        super().__init__()
        hidden = int(config.get("hidden", 128))
        steps = int(config.get("processor_steps", 4))
        self.aggregation = config.get("aggregation", "mean")
        if self.aggregation not in ("sum", "mean"):
            raise ValueError(f"aggregation must be 'sum' or 'mean', got {self.aggregation!r}")
        self.input_channels = input_channels
        self.output_channels = output_channels
        self.nlat, self.nlon = len(lat_deg), len(lon_deg)
        graph = {k[len("graph."):] if k.startswith("graph.") else k: v for k, v in graph.items()}
        self.graph = MeshGraphBuffers(graph)
        if self.graph.grid_nodes.shape[0] != self.nlat * self.nlon:
            raise ValueError(f"graph has {self.graph.grid_nodes.shape[0]} grid nodes, "
                             f"the grid {self.nlat}x{self.nlon}")
        self.embedding = GraphEmbedding(input_channels, hidden)
        self.encoder = InteractionNetwork(hidden, updates_senders=True)
        self.processor = nn.ModuleList([InteractionNetwork(hidden) for _ in range(steps)])
        self.decoder = InteractionNetwork(hidden)
        self.output = GraphMLP(hidden, hidden, output_channels, layer_norm=False)

    def forward(self, x):
        batch = x.shape[0]
        g = self.graph
        grid_count = self.nlat * self.nlon
        fields = x.reshape(batch, self.input_channels, grid_count).permute(0, 2, 1)
        grid_static = g.grid_nodes.unsqueeze(0).expand(batch, -1, -1)
        grid = self.embedding.grid(torch.cat([fields, grid_static], dim=-1))
        mesh = self.embedding.mesh(g.mesh_nodes).unsqueeze(0).expand(batch, -1, -1)
        g2m = self.embedding.grid2mesh(g.grid2mesh_features)
        mm = self.embedding.multimesh(g.multimesh_features)
        m2g = self.embedding.mesh2grid(g.mesh2grid_features)

        _, grid, mesh = self.encoder(g2m, grid, mesh, g.grid2mesh_senders, g.grid2mesh_receivers,
                                     self.aggregation)
        for step in self.processor:
            mm, _, mesh = step(mm, mesh, mesh, g.multimesh_senders, g.multimesh_receivers,
                               self.aggregation)
        _, _, grid = self.decoder(m2g, mesh, grid, g.mesh2grid_senders, g.mesh2grid_receivers,
                                  self.aggregation)
        out = self.output(grid)
        return out.permute(0, 2, 1).reshape(batch, self.output_channels, self.nlat, self.nlon)
