// Snyder's spherical inverse of the Lambert conformal conic projection (15-8 to 15-11,
// 14-4) along the rows of a grid, points x0 + i·dx at fixed t = ρ0 − y:
//   θ = atan2(s·x, s·t) (s = sign n), λ − λ0 = θ/n,
//   φ = 2·atan(E) − π/2 with E = (|R·F|/ρ)^(1/n), ρ² = x² + t².
//
// libm's atan2, pow and atan cost ~60 ns per point (as much as ecCodes' geo-iterator), so
// every ANCHOR_SPACING-th point of a row is computed so, and the points between by exact
// increments whose arguments are small, evaluated with short series:
//   θ' − θ = atan(dx·t / (t² + x·x'))                          (angle difference),
//   log E' − log E = −log1p(δ)/(2n), δ = dx·(x + x')/ρ²       (ρ'² = ρ²·(1 + δ)),
//   φ' − φ = 2·atan(E·m / (1 + E·E')), m = E'/E − 1           (difference of atans).
// A step whose argument is not small (near the cone apex, very coarse grids, n near 0)
// is computed directly instead (all lanes). The truncation error of each step stays
// below 1e-17 rad, so drift over an anchor spacing stays ~1e-15 rad.
//
// LANES rows run side by side: the loops over lanes have no dependences between lanes
// and are vectorised by the compiler, once per instruction set of `target_clones`
// (AVX-512, AVX2+FMA, baseline x86-64), the CPU choosing at load time.

#include "CPlumeKernels.h"

#include <math.h>
#include <stddef.h>

enum { LANES = 16, ANCHOR_SPACING = 128 };

// Two sets of series: short ones for arguments up to SHORT_LIMIT (grids of a few km:
// |arguments| ~ dx/ρ ~ 1e-3), long ones up to LONG_LIMIT (coarse grids, near the apex).
// The truncation error of each stays below 1e-18 rad per step.
static const double SHORT_LIMIT = 0.008, LONG_LIMIT = 0.06;

/// atan(z): z − z³/3 + z⁵/5 − z⁷/7 for |z| ≤ 0.008 (error < z⁹/9 ≈ 2e-20);
/// up to −z¹⁵/15 for |z| ≤ 0.06 (error < z¹⁷/17 ≈ 1e-22).
static inline __attribute__((always_inline)) double atan_small(double z, int long_series) {
    double q = z * z;
    double p = -1.0 / 7;
    if (long_series) {
        p = q * (-1.0 / 15) + 1.0 / 13;
        p = p * q - 1.0 / 11;
        p = p * q + 1.0 / 9;
        p = p * q - 1.0 / 7;
    }
    p = p * q + 1.0 / 5;
    p = p * q - 1.0 / 3;
    return z + z * q * p;
}

/// log(1 + d): d − d²/2 + … + d⁷/7 for |d| ≤ 0.008 (error < d⁸/8 ≈ 2e-18);
/// up to −d¹²/12 for |d| ≤ 0.06 (error < d¹³/13 ≈ 1e-17).
static inline __attribute__((always_inline)) double log1p_small(double d, int long_series) {
    double p = 1.0 / 7;
    if (long_series) {
        p = d * (-1.0 / 12) + 1.0 / 11;
        p = p * d - 1.0 / 10;
        p = p * d + 1.0 / 9;
        p = p * d - 1.0 / 8;
        p = p * d + 1.0 / 7;
    }
    p = p * d - 1.0 / 6;
    p = p * d + 1.0 / 5;
    p = p * d - 1.0 / 4;
    p = p * d + 1.0 / 3;
    p = p * d - 0.5;
    return d + d * d * p;
}

/// e^w − 1: w + w²/2 + … + w⁶/6! for |w| ≤ 0.008 (error < w⁷/7! ≈ 5e-19);
/// up to w¹⁰/10! for |w| ≤ 0.06 (error < w¹¹/11! ≈ 1e-21).
static inline __attribute__((always_inline)) double expm1_small(double w, int long_series) {
    double p = 1.0 / 720;
    if (long_series) {
        p = w * (1.0 / 3628800) + 1.0 / 362880;
        p = p * w + 1.0 / 40320;
        p = p * w + 1.0 / 5040;
        p = p * w + 1.0 / 720;
    }
    p = p * w + 1.0 / 120;
    p = p * w + 1.0 / 24;
    p = p * w + 1.0 / 6;
    p = p * w + 0.5;
    return w + w * w * p;
}

/// The state of LANES rows at one point.
typedef struct {
    double theta[LANES], phi[LANES], e[LANES], rho2[LANES];
} lambert_lanes;

/// Advances `state` from x − dx to x by the increments; returns 0, leaving `state`
/// unchanged, when an argument exceeds the series' limit in some lane (or is not a number).
static inline __attribute__((always_inline)) int lambert_step(lambert_lanes *state, const double t[LANES],
                                                            const double t2[LANES], double x, double dx,
                                                            double half_inverse_n, int long_series) {
    const double limit = long_series ? LONG_LIMIT : SHORT_LIMIT;
    const double previous = x - dx;
    double epsilon[LANES], rho2_next[LANES], e_next[LANES], a[LANES];
    int bad = 0;
    for (int k = 0; k < LANES; k++) {
        double denominator = t2[k] + previous * x;
        epsilon[k] = dx * t[k] / denominator;
        rho2_next[k] = x * x + t2[k];
        double delta = dx * (previous + x) / state->rho2[k];
        double dw = log1p_small(delta, long_series) * half_inverse_n;
        double m = expm1_small(dw, long_series);
        e_next[k] = state->e[k] + state->e[k] * m;
        a[k] = state->e[k] * m / (1 + state->e[k] * e_next[k]);
        // Written so that a NaN argument counts as too large.
        bad |= !(denominator > 0) | !(fabs(epsilon[k]) <= limit) | !(fabs(delta) <= limit)
             | !(fabs(dw) <= limit) | !(fabs(a[k]) <= limit);
    }
    if (bad) return 0;
    for (int k = 0; k < LANES; k++) {
        state->theta[k] += atan_small(epsilon[k], long_series);
        state->phi[k] += 2 * atan_small(a[k], long_series);
        state->e[k] = e_next[k];
        state->rho2[k] = rho2_next[k];
    }
    return 1;
}

/// ecCodes' normalisation of a longitude into [0, 360].
static inline __attribute__((always_inline)) double normalised_longitude(double l) {
    while (l < 0) l += 360;
    while (l > 360) l -= 360;
    return l;
}

/// Fills `rows` (≤ LANES) consecutive rows of `count` points, one per lane of `t`
/// (ρ0 − y of each row), row k at offset k·stride, in degrees.
static inline __attribute__((always_inline)) void lambert_rows(const plume_lambert_grid *g, const double t[LANES], long count, long rows,
                                double *restrict lat, double *restrict lon, ptrdiff_t stride) {
    const double n = g->n, dx = g->dx, x0 = g->x0, absRF = g->absRF;
    const double s = n < 0 ? -1 : 1, inverse_n = 1 / n, half_inverse_n = -0.5 / n;
    const double to_degrees = 180 / M_PI, lov = g->orientationDegrees;
    double t2[LANES];
    lambert_lanes state;
    for (int k = 0; k < LANES; k++) {
        t2[k] = t[k] * t[k];
        state.theta[k] = state.phi[k] = state.e[k] = state.rho2[k] = 0;
    }
    // Short series until a step needs the long ones, then long ones up to the next anchor.
    int long_series = 0;
    for (long i = 0; i < count; i++) {
        const double xs = x0 + (double)i * dx;
        int exact = i % ANCHOR_SPACING == 0;
        if (exact) long_series = 0;
        if (!exact && !long_series && !lambert_step(&state, t, t2, xs, dx, half_inverse_n, 0)) long_series = 1;
        if (!exact && long_series && !lambert_step(&state, t, t2, xs, dx, half_inverse_n, 1)) exact = 1;
        if (exact) {
            for (int k = 0; k < LANES; k++) {
                state.theta[k] = atan2(s * xs, s * t[k]);
                state.rho2[k] = xs * xs + t2[k];
                state.e[k] = pow(absRF / sqrt(state.rho2[k]), inverse_n);
                state.phi[k] = 2 * atan(state.e[k]) - M_PI / 2;
            }
        }
        for (long k = 0; k < rows; k++) {
            lat[k * stride + i] = state.phi[k] * to_degrees;
            lon[k * stride + i] = normalised_longitude(lov + state.theta[k] * inverse_n * to_degrees);
        }
    }
}

#if defined(__x86_64__) && defined(__ELF__) && (defined(__clang__) || defined(__GNUC__))
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
void plume_lambert_coordinates(const plume_lambert_grid *grid, double *lat, double *lon) {
    const long nx = grid->nx, ny = grid->ny;
    if (nx <= 0 || ny <= 0) return;
    for (long j0 = 0; j0 < ny; j0 += LANES) {
        // Rows in groups of LANES; the last group repeats its last row.
        double t[LANES];
        for (int k = 0; k < LANES; k++) {
            long j = j0 + k < ny ? j0 + k : ny - 1;
            t[k] = grid->rho0 - (grid->y0 + (double)j * grid->dy);
        }
        long rows = ny - j0 < LANES ? ny - j0 : LANES;
        lambert_rows(grid, t, nx, rows, lat + j0 * nx, lon + j0 * nx, nx);
    }
}
