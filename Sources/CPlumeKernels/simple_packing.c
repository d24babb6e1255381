// Simple packing (GRIB 1 grid_simple, GRIB 2 template 5.0) unpacked from the bytes of a
// message, with ecCodes' arithmetic: value = (X·2^E + R)·10^−D in double precision,
// X the unsigned integer of `bits` bits packed big-endian, then stored as float. The
// multiply and add stay separate operations (no fused multiply-add), so the values are
// the same, bit for bit, as ecCodes' `grib_decode_double_array` returns.

#include "CPlumeKernels.h"

#include <stdint.h>
#include <string.h>

#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

static inline __attribute__((always_inline)) uint64_t load_big_endian_64(const uint8_t *p) {
    uint64_t w;
    memcpy(&w, p, sizeof w);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

/// The k-th packed integer; `fast` values have a whole 8-byte window inside `data`.
static inline __attribute__((always_inline)) uint64_t packed_value(const uint8_t *data, long k, int bits,
                                                                   uint64_t mask, long fast) {
    const uint64_t bit = (uint64_t)k * (uint64_t)bits;
    if (k < fast) {
        uint64_t word = load_big_endian_64(data + (bit >> 3));
        return (word >> (64 - (bit & 7) - (uint64_t)bits)) & mask;
    }
    // Near the end: gather the (at most 5) bytes the value touches.
    const uint64_t first = bit >> 3, last = (bit + (uint64_t)bits - 1) >> 3;
    uint64_t word = 0;
    for (uint64_t i = first; i <= last; i++) word = word << 8 | data[i];
    return (word >> ((last + 1) * 8 - (bit + (uint64_t)bits))) & mask;
}

#if defined(__x86_64__) && defined(__ELF__) && (defined(__clang__) || defined(__GNUC__))
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
int plume_unpack_simple(const uint8_t *data, long length, long count, int bits, double reference,
                        double binary_scale, double decimal_scale, float *out, const long *order) {
    if (count < 0 || bits < 1 || bits > 32 || length < 0) return 0;
    if ((uint64_t)count * (uint64_t)bits > (uint64_t)length * 8) return 0;
    const uint64_t mask = ((uint64_t)1 << bits) - 1;
    const long fast_end = length >= 8 ? (long)((((uint64_t)length - 8) * 8) / (uint64_t)bits) + 1 : 0;
    const long fast = fast_end < count ? fast_end : count;
    const double r = reference, s = binary_scale, d = decimal_scale;
    if (order) {
        for (long k = 0; k < count; k++) {
            out[order[k]] = (float)(((double)packed_value(data, k, bits, mask, fast) * s + r) * d);
        }
    } else if (bits == 8) {
        for (long k = 0; k < count; k++) out[k] = (float)(((double)data[k] * s + r) * d);
    } else if (bits == 16) {
        for (long k = 0; k < count; k++) {
            uint64_t x = (uint64_t)data[2 * k] << 8 | data[2 * k + 1];
            out[k] = (float)(((double)x * s + r) * d);
        }
    } else if (bits < 8) {
        // Eight values fill `bits` whole bytes: one 8-byte load per eight values.
        long k = 0;
        const long groups = length >= 8 ? ((length - 8) / bits + 1 < count / 8 ? (length - 8) / bits + 1 : count / 8) : 0;
        for (long g = 0; g < groups; g++, k += 8) {
            const uint64_t word = load_big_endian_64(data + g * bits);
            for (int j = 0; j < 8; j++) {
                uint64_t x = (word >> (64 - (uint64_t)(j + 1) * (uint64_t)bits)) & mask;
                out[k + j] = (float)(((double)(int64_t)x * s + r) * d);
            }
        }
        for (; k < count; k++) out[k] = (float)(((double)packed_value(data, k, bits, mask, fast) * s + r) * d);
    } else if (bits < 16) {
        // Eight values fill `bits` whole bytes: the first four lie in the 8 bytes from the
        // group's start, the last four in the 8 bytes from the byte where the fifth starts.
        long k = 0;
        const long head = (4 * bits) >> 3, shift = (4 * bits) & 7;
        const long groups = length >= 8 + head ? ((length - 8 - head) / bits + 1 < count / 8 ? (length - 8 - head) / bits + 1 : count / 8) : 0;
        for (long g = 0; g < groups; g++, k += 8) {
            const uint64_t first = load_big_endian_64(data + g * bits);
            const uint64_t second = load_big_endian_64(data + g * bits + head) << shift;
            for (int j = 0; j < 4; j++) {
                uint64_t x = (first >> (64 - (uint64_t)(j + 1) * (uint64_t)bits)) & mask;
                uint64_t y = (second >> (64 - (uint64_t)(j + 1) * (uint64_t)bits)) & mask;
                out[k + j] = (float)(((double)(int64_t)x * s + r) * d);
                out[k + 4 + j] = (float)(((double)(int64_t)y * s + r) * d);
            }
        }
        for (; k < count; k++) out[k] = (float)(((double)packed_value(data, k, bits, mask, fast) * s + r) * d);
    } else {
        long k = 0;
        for (; k < fast; k++) {
            const uint64_t bit = (uint64_t)k * (uint64_t)bits;
            uint64_t word = load_big_endian_64(data + (bit >> 3));
            uint64_t x = (word >> (64 - (bit & 7) - (uint64_t)bits)) & mask;
            out[k] = (float)(((double)x * s + r) * d);
        }
        for (; k < count; k++) out[k] = (float)(((double)packed_value(data, k, bits, mask, fast) * s + r) * d);
    }
    return 1;
}
