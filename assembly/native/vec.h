/* 32-byte vectors of the network kernels (GCC vector extensions) and their fused multiply-add. */
#ifndef STOCHDYN_VEC_H
#define STOCHDYN_VEC_H
#ifdef __AVX2__
#include <immintrin.h>
#endif

typedef double v4d __attribute__((vector_size(32), aligned(32)));
typedef float v8f __attribute__((vector_size(32), aligned(32)));

#ifdef __FMA__
static inline v4d fma4(v4d a, v4d b, v4d c) { return (v4d)_mm256_fmadd_pd((__m256d)a, (__m256d)b, (__m256d)c); }
static inline v8f fma8(v8f a, v8f b, v8f c) { return (v8f)_mm256_fmadd_ps((__m256)a, (__m256)b, (__m256)c); }
#else
static inline v4d fma4(v4d a, v4d b, v4d c) { return a * b + c; }
static inline v8f fma8(v8f a, v8f b, v8f c) { return a * b + c; }
#endif

/*
 * One value in every lane. Not written (v){0} + x: without -ffast-math that
 * is a real addition (it turns −0 into +0), a scalar add in front of every
 * broadcast of the dense loops.
 */
static inline v4d splat4(double x) { return (v4d){x, x, x, x}; }
static inline v8f splat8(float x) { return (v8f){x, x, x, x, x, x, x, x}; }

#endif
