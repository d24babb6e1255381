#ifndef CPLUME_KERNELS_H
#define CPLUME_KERNELS_H

// Numeric kernels of PlumeIO written in C so that each can be compiled for several
// instruction sets (x86-64 baseline, AVX2+FMA, AVX-512) and picked at load time by the
// CPU (GNU ifunc through `target_clones`), which a Swift target, built for the baseline
// without flags, cannot do.

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A Lambert conformal conic grid on a sphere, as `GRIBLambertConformal` reduces it:
/// the projected first point and the cone (Snyder, Map Projections: A Working Manual,
/// USGS PP 1395, §15). Lengths in metres, angles as noted.
typedef struct {
    /// Cone constant n (non-zero) and |R·F| (R the earth's radius, F Snyder's 15-2).
    double n;
    double absRF;
    /// ρ0, the radius of the parallel through the latitude of true scale.
    double rho0;
    /// First grid point projected (x0, y0), grid lengths (dx, dy > 0).
    double x0, y0, dx, dy;
    /// Orientation meridian LoV in degrees.
    double orientationDegrees;
    /// Points along x and y (both ≥ 1).
    long nx, ny;
} plume_lambert_grid;

/// Latitude and longitude in degrees of every point of `grid`, rows of `nx` points from
/// the first point eastward (+x), rows from the first northward (+y); longitudes in
/// [0, 360] as ecCodes' geo-iterator gives them. `lat` and `lon` hold nx·ny values each.
void plume_lambert_coordinates(const plume_lambert_grid *grid, double *lat, double *lon);

/// Unpacks `count` values of `bits` (1…32) bits each, packed big-endian from the start of
/// `data` (`length` readable bytes), as ecCodes does: (X·binary_scale + reference)·decimal_scale
/// in double precision, stored as float, the k-th to `out[order[k]]` (or `out[k]` when
/// `order` is NULL). Returns 0, writing nothing, when the packed bits run past `length`.
int plume_unpack_simple(const uint8_t *data, long length, long count, int bits, double reference,
                        double binary_scale, double decimal_scale, float *out, const long *order);

/// Keeps large freed blocks in the heap instead of returning them to the kernel (glibc:
/// mmap threshold 32 MiB, trim above 256 MiB of free heap), the policy the libtorch
/// loader applies; `plume` calls it at start-up. Loading fields of a few MB repeatedly
/// otherwise faults every page in again (~1.5 µs each). PLUME_MALLOC_DEFAULTS=1 keeps
/// glibc's defaults.
void plume_tune_malloc(void);

/* For a stage command started by `plume run`: dies with the engine (PR_SET_PDEATHSIG).
   Returns 1 when the engine has already exited (the command should stop), else 0. */
int plume_follow_pipeline_parent(void);

#ifdef __cplusplus
}
#endif

#endif
