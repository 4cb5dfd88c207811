/*
 * rng.h - the benchmarks' random numbers: splitmix64 from a fixed seed, so
 * that every run draws the same points, uniform doubles in [0, 1) and
 * normal deviates (Box-Muller). Header-only; each benchmark is one program.
 */
#ifndef TZ_BENCH_RNG_H
#define TZ_BENCH_RNG_H

#include <math.h>
#include <stdint.h>

static uint64_t rng = 0x2545F4914F6CDD1Dull;

static inline uint64_t next(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline double uniform(void)
{
    return (double)(next() >> 11) / 9007199254740992.0;
}

static inline double gauss(void)
{
    return sqrt(-2.0 * log(uniform() + 1e-300)) * cos(2.0 * M_PI * uniform());
}

#endif
