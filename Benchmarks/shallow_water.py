#!/usr/bin/env python3
"""The spectral shallow-water model of Plume (ShallowWaterModel + SphericalHarmonicTransform),
transcribed operation for operation into PyTorch, for a side-by-side speed benchmark on the same
libtorch (Benchmarks/shallow_water.sh runs both).

Same algorithm as the Swift code:
- Gauss-Legendre nodes by Newton iteration on the three-term recurrence (north first);
- orthonormal associated Legendre tables P, dP/dtheta, m P/sin(theta) with the same
  recurrences (Sources/PlumeSpectral/AssociatedLegendre.swift), shape [mmax, lmax, nlat];
- scalar SHT: rfft (norm="forward") truncated to mmax, weights 2*pi*w_j, one bmm per
  direction on real views; inverse: transposed bmm, Hermitian mask, irfft (norm="forward");
- vector SHT: curl/divergence from the stacked (dP/dtheta ; m P/sin) table, wind from
  psi = lap^-1 zeta, chi = lap^-1 delta;
- tendency: (-div(Phi V), -div(eta V), curl(eta V) - lap(Phi + |V|^2/2)), RK4, then the
  del^8 hyperdiffusion factor exp(-dt * nu_l) (0.25 day at l = T, also on Phi);
- Williamson et al. (1992) case 6 initial state on the grid, suggested time step
  (600 s * 42 / T, shortened to a whole number of steps per day).

Prints one JSON line ("method": "python") like `plume bench shallow-water`. With
--compare FILE (h written by `plume bench shallow-water --h-out FILE`) it also prints the
relative difference max|h_py - h_swift| / max|h_swift| as "h_relative_difference".
"""
import argparse
import json
import math
import sys
import time

import numpy as np
import torch

A = 6.37122e6
OMEGA = 7.292e-5
G = 9.80616
DAY = 86400.0


def gauss_legendre(count):
    nodes = [0.0] * count
    weights = [0.0] * count
    for i in range((count + 1) // 2):
        x = math.cos(math.pi * (i + 0.75) / (count + 0.5))
        derivative = 1.0
        for _ in range(100):
            p0, p1 = 1.0, x
            for k in range(2, count + 1):
                p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k
                p0, p1 = p1, p2
            derivative = count * (x * p1 - p0) / (x * x - 1)
            dx = p1 / derivative
            x -= dx
            if abs(dx) < 1e-16:
                break
        w = 2 / ((1 - x * x) * derivative * derivative)
        nodes[i], nodes[count - 1 - i] = x, -x
        weights[i], weights[count - 1 - i] = w, w
    if count % 2 == 1:
        nodes[count // 2] = 0.0
    return np.array(nodes), np.array(weights)


def legendre_tables(lmax, mmax, cos_t, sin_t):
    nlat = len(cos_t)
    big_m = max(mmax + 1, 2)
    big_l = lmax + 1
    t = np.zeros((big_m, big_l, nlat))
    pmm = np.full(nlat, 1 / math.sqrt(4 * math.pi))
    for m in range(big_m):
        if m > 0:
            pmm = pmm * (math.sqrt((2 * m + 1) / (2 * m)) * sin_t)
        if m >= big_l:
            break
        t[m, m] = pmm
        if m + 1 >= big_l:
            continue
        t[m, m + 1] = math.sqrt(2 * m + 3) * cos_t * pmm
        previous, current = pmm, t[m, m + 1]
        a_previous = math.sqrt(2 * m + 3)
        for l in range(m + 2, big_l):
            a = math.sqrt((4 * l * l - 1) / (l * l - m * m))
            nxt = a * (cos_t * current - previous / a_previous)
            t[m, l] = nxt
            previous, current, a_previous = current, nxt, a
    p = np.zeros((mmax, lmax, nlat))
    d = np.zeros_like(p)
    q = np.zeros_like(p)
    for m in range(mmax):
        phase = 1.0 if m % 2 == 0 else -1.0
        for l in range(m, lmax):
            if m == 0:
                p[0, l] = t[0, l]
                d[0, l] = -math.sqrt(l * (l + 1)) * t[1, l]
            else:
                a0 = math.sqrt((l + m) * (l - m + 1))
                b0 = math.sqrt((l - m) * (l + m + 1))
                c1 = 0.5 * math.sqrt((2 * l + 1) / (2 * l + 3))
                a1 = math.sqrt((l - m + 1) * (l - m + 2))
                b1 = math.sqrt((l + m + 1) * (l + m + 2))
                p[m, l] = phase * t[m, l]
                d[m, l] = phase * 0.5 * (a0 * t[m - 1, l] - b0 * t[m + 1, l])
                q[m, l] = phase * c1 * (a1 * t[m - 1, l + 1] + b1 * t[m + 1, l + 1])
    return p, d, q


def times_i(z):
    return torch.stack([-z.select(-1, 1), z.select(-1, 0)], dim=-1)


class SHT:
    def __init__(self, nlat, nlon, lmax, mmax, radius):
        self.nlat, self.nlon, self.lmax, self.mmax = nlat, nlon, lmax, mmax
        nodes, weights = gauss_legendre(nlat)
        sin_t = np.sqrt((1 - nodes) * (1 + nodes))
        p, d, q = legendre_tables(lmax, mmax, nodes, sin_t)
        f64 = torch.float64
        self.legendre = torch.tensor(p, dtype=f64)
        self.analysis_weights = torch.tensor(2 * math.pi * weights, dtype=f64).reshape(nlat, 1, 1)
        self.vector_legendre = torch.tensor(np.concatenate([d, q], axis=1) / radius, dtype=f64)  # [m, 2l, nlat]
        mask = np.ones((mmax, 2))
        mask[0, 1] = 0
        if nlon % 2 == 0 and mmax > nlon // 2:
            mask[nlon // 2, 1] = 0
        self.hermitian_mask = torch.tensor(mask, dtype=f64)
        eigen = np.array([-l * (l + 1) / radius ** 2 for l in range(lmax)])
        self.laplacian_eigenvalues = torch.tensor(eigen, dtype=f64).reshape(lmax, 1)
        inv = np.array([0.0 if e == 0 else 1 / e for e in eigen])
        self.inverse_laplacian_eigenvalues = torch.tensor(inv, dtype=f64).reshape(lmax, 1)
        self.sin_lat = torch.tensor(nodes, dtype=f64).reshape(nlat, 1)
        self.cell_weights = torch.tensor(2 * math.pi * weights / nlon, dtype=f64).reshape(nlat, 1)
        self.latitudes = np.pi / 2 - np.arctan2(sin_t, nodes)
        self.longitudes = np.array([2 * math.pi * i / nlon for i in range(nlon)])

    def fourier_analysis(self, x):
        spectrum = torch.fft.rfft(x.reshape(-1, self.nlat, self.nlon), dim=-1, norm="forward")
        return torch.view_as_real(spectrum.narrow(-1, 0, self.mmax))

    def fourier_synthesis(self, fourier):
        z = torch.view_as_complex((fourier * self.hermitian_mask).contiguous())
        return torch.fft.irfft(z, n=self.nlon, dim=-1, norm="forward")

    def legendre_analysis(self, fourier, matrix):
        b = fourier.shape[0]
        rows = matrix.shape[1]
        weighted = fourier * self.analysis_weights
        columns = weighted.permute(2, 1, 0, 3).reshape(self.mmax, self.nlat, 2 * b)
        product = torch.bmm(matrix, columns)
        return product.reshape(self.mmax, rows, b, 2).permute(2, 1, 0, 3).contiguous()

    def legendre_synthesis(self, coefficients, matrix):
        b = coefficients.shape[0]
        rows = matrix.shape[1]
        columns = coefficients.permute(2, 1, 0, 3).reshape(self.mmax, rows, 2 * b)
        product = torch.bmm(matrix.transpose(1, 2), columns)
        return product.reshape(self.mmax, self.nlat, b, 2).permute(2, 1, 0, 3)

    def forward(self, x):
        batch = list(x.shape[:-2])
        out = self.legendre_analysis(self.fourier_analysis(x), self.legendre)
        return torch.view_as_complex(out).reshape(batch + [self.lmax, self.mmax])

    def inverse(self, c):
        batch = list(c.shape[:-2])
        real = torch.view_as_real(c.reshape(-1, self.lmax, self.mmax))
        fourier = self.legendre_synthesis(real, self.legendre)
        return self.fourier_synthesis(fourier).reshape(batch + [self.nlat, self.nlon])

    def curl_and_divergence(self, east, north):
        batch = list(east.shape[:-2])
        both = torch.stack([east.reshape(-1, self.nlat, self.nlon), north.reshape(-1, self.nlat, self.nlon)], dim=0)
        fourier = self.fourier_analysis(both)
        b = fourier.shape[0] // 2
        out = self.legendre_analysis(fourier, self.vector_legendre)
        l = self.lmax
        du = out.narrow(0, 0, b).narrow(1, 0, l)
        qu = out.narrow(0, 0, b).narrow(1, l, l)
        dv = out.narrow(0, b, b).narrow(1, 0, l)
        qv = out.narrow(0, b, b).narrow(1, l, l)
        curl = times_i(qv) - du
        divergence = times_i(qu) + dv
        shape = batch + [self.lmax, self.mmax]
        return (torch.view_as_complex(curl.contiguous()).reshape(shape),
                torch.view_as_complex(divergence.contiguous()).reshape(shape))

    def velocity(self, vorticity, divergence):
        batch = list(vorticity.shape[:-2])
        psi = torch.view_as_real((vorticity * self.inverse_laplacian_eigenvalues).reshape(-1, self.lmax, self.mmax))
        chi = torch.view_as_real((divergence * self.inverse_laplacian_eigenvalues).reshape(-1, self.lmax, self.mmax))
        u_rows = torch.cat([psi, times_i(chi)], dim=1)
        v_rows = torch.cat([-chi, times_i(psi)], dim=1)
        fourier = self.legendre_synthesis(torch.cat([u_rows, v_rows], dim=0), self.vector_legendre)
        grid = self.fourier_synthesis(fourier)
        b = grid.shape[0] // 2
        shape = batch + [self.nlat, self.nlon]
        return grid.narrow(0, 0, b).reshape(shape), grid.narrow(0, b, b).reshape(shape)

    def laplacian(self, c):
        return c * self.laplacian_eigenvalues


class Model:
    def __init__(self, sht, dt, hyperdiffusion_time=0.25 * DAY, order=4):
        self.sht, self.dt = sht, dt
        coriolis = sht.sin_lat * (2 * OMEGA)
        self.coriolis_offset = torch.stack([torch.zeros(coriolis.shape, dtype=torch.float64), coriolis], dim=0)
        lmax = sht.lmax
        top = (lmax - 1) * lmax
        rates = [((l * (l + 1)) / top) ** order / hyperdiffusion_time for l in range(lmax)] * 3
        self.hyperdiffusion_rates = torch.tensor(rates, dtype=torch.float64).reshape(3, lmax, 1)
        self.hyperdiffusion_factor = (self.hyperdiffusion_rates * (-dt)).exp()

    def tendency(self, x):
        s = self.sht
        q = s.inverse(x.narrow(-3, 0, 2)) + self.coriolis_offset
        u, v = s.velocity(x.select(-3, 1), x.select(-3, 2))
        curl, divergence = s.curl_and_divergence(q * u.unsqueeze(-3), q * v.unsqueeze(-3))
        kinetic = (u.square() + v.square()) * 0.5
        bernoulli = x.select(-3, 0) + s.forward(kinetic)
        divergence_tendency = curl.select(-3, 1) - s.laplacian(bernoulli)
        return torch.cat([-divergence, divergence_tendency.unsqueeze(-3)], dim=-3)

    def step(self, x):
        dt = self.dt
        k1 = self.tendency(x)
        k2 = self.tendency(x + k1 * (dt / 2))
        k3 = self.tendency(x + k2 * (dt / 2))
        k4 = self.tendency(x + k3 * dt)
        update = (k1 + k4 + (k2 + k3) * 2.0) * (dt / 6)
        return (x + update) * self.hyperdiffusion_factor

    def state(self, u, v, h):
        vorticity, divergence = self.sht.curl_and_divergence(u, v)
        geopotential = self.sht.forward(h * G)
        return torch.stack([geopotential, vorticity, divergence], dim=-3)

    def height(self, x):
        return self.sht.inverse(x).select(-3, 0) / G


def williamson6(latitudes, longitudes):
    w = K = 7.848e-6
    R, h0 = 4.0, 8000.0
    phi = latitudes[:, None]
    lam = longitudes[None, :]
    c = np.cos(phi)
    u = A * w * c + A * K * c ** (R - 1) * (R * np.sin(phi) ** 2 - c * c) * np.cos(R * lam)
    v = -A * K * R * c ** (R - 1) * np.sin(phi) * np.sin(R * lam)
    a_ = w / 2 * (2 * OMEGA + w) * c * c + 0.25 * K * K * c ** (2 * R) * ((R + 1) * c * c + (2 * R * R - R - 2) - 2 * R * R / (c * c))
    b_ = 2 * (OMEGA + w) * K / ((R + 1) * (R + 2)) * c ** R * ((R * R + 2 * R + 2) - (R + 1) ** 2 * c * c)
    c_ = 0.25 * K * K * c ** (2 * R) * ((R + 1) * c * c - (R + 2))
    h = h0 + A * A * (a_ + b_ * np.cos(R * lam) + c_ * np.cos(2 * R * lam)) / G
    shape = (len(latitudes), len(longitudes))
    return (np.broadcast_to(u, shape).copy(), np.broadcast_to(v, shape).copy(), np.broadcast_to(h, shape).copy())


def suggested_time_step(truncation):
    raw = 600 * 42 / max(truncation, 1)
    steps_per_day = math.ceil(DAY / raw)
    return DAY / steps_per_day


def grid_size(truncation):
    half = (3 * truncation + 1 + 3) // 4
    return 2 * half, 4 * half


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--truncation", type=int, default=42)
    parser.add_argument("--days", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--compare", help="h from `plume bench shallow-water --h-out` (raw float64)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_grad_enabled(False)
    nlat, nlon = grid_size(args.truncation)
    lmax = args.truncation + 1
    sht = SHT(nlat, nlon, lmax, lmax, A)
    dt = suggested_time_step(args.truncation)
    model = Model(sht, dt)
    u, v, h = williamson6(sht.latitudes, sht.longitudes)
    f64 = torch.float64
    initial = model.state(torch.tensor(u, dtype=f64), torch.tensor(v, dtype=f64), torch.tensor(h, dtype=f64))
    steps = int(round(args.days * DAY / dt))
    model.step(initial)  # warm-up, not timed
    best = math.inf
    final = initial
    for _ in range(args.repeat):
        x = initial
        start = time.perf_counter()
        for _ in range(steps):
            x = model.step(x)
        height = model.height(x)
        seconds = time.perf_counter() - start
        best = min(best, seconds)
        final = x
    height = model.height(final).contiguous().numpy()
    days = steps * dt / DAY
    result = {"method": "python", "truncation": args.truncation, "nlat": nlat, "nlon": nlon,
              "threads": torch.get_num_threads(), "time_step": dt, "steps": steps, "days": days,
              "seconds": best, "days_per_second": days / best, "h_mean": float(height.mean())}
    if args.compare:
        swift = np.fromfile(args.compare, dtype="<f8")
        if swift.size != height.size:
            print(f"error: {args.compare} holds {swift.size} values, expected {height.size}", file=sys.stderr)
            sys.exit(1)
        swift = swift.reshape(height.shape)
        result["h_relative_difference"] = float(np.abs(height - swift).max() / np.abs(swift).max())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
