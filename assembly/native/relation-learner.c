/*
 * rlEnergyGrad(precision, x, count, dim, n, d, combine, depth, width, picks,
 *              pickStride, nPick, pairs, labels, energy, grad)
 * — the relation-learner kernel (relation-learner.inc) in float64 (precision
 * 64) or float32 (32) arithmetic; positions, energies and gradients are
 * float64 arrays either way. Arguments as the WebAssembly kernel's
 * (assembly/relation-learner.ts), but typed arrays instead of offsets.
 */
#define NAPI_VERSION 8
#include <math.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __AVX2__
#include <immintrin.h>
#endif
#include "native.h"
#include "vec.h"

#define RL_CHUNK 64
#define RL_MAX_DEPTH 64

/*
 * tanh(v) = 1 − 2/(e^{2v} + 1) per lane (the formula of the TypeScript
 * kernel), with a vector exp: 2v clamped to ±40 (tanh is ±1 there in either
 * precision), e^u = 2^k e^r with k = round(u / ln 2), r = u − k ln 2 in two
 * parts (Cody–Waite, |r| ≤ 0.35), e^r by its Taylor polynomial (degree 13 in
 * float64: truncation < 5e-18; degree 7 in float32: < 6e-9), 2^k built in the
 * exponent bits.
 */
#ifdef __AVX2__
static inline v4d tanh4(v4d v) {
  const __m256d u = _mm256_max_pd(_mm256_min_pd(_mm256_add_pd((__m256d)v, (__m256d)v), _mm256_set1_pd(40.0)), _mm256_set1_pd(-40.0));
  const __m256d k = _mm256_round_pd(_mm256_mul_pd(u, _mm256_set1_pd(1.4426950408889634)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m256d r = (__m256d)fma4((v4d)k, (v4d)_mm256_set1_pd(-1.90821492927058770002e-10),
                                  fma4((v4d)k, (v4d)_mm256_set1_pd(-6.93147180369123816490e-01), (v4d)u));
  static const double c[14] = {1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0,
                               1.0 / 40320.0,      1.0 / 5040.0,      1.0 / 720.0,        1.0 / 120.0,       1.0 / 24.0,
                               1.0 / 6.0,          0.5,               1.0,                1.0};
  v4d p = (v4d)_mm256_set1_pd(c[0]);
  for (int i = 1; i < 14; i++) p = fma4(p, (v4d)r, (v4d)_mm256_set1_pd(c[i]));
  const __m256i ki = _mm256_cvtepi32_epi64(_mm256_cvtpd_epi32(k));
  const __m256d scale = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_add_epi64(ki, _mm256_set1_epi64x(1023)), 52));
  const __m256d e = _mm256_mul_pd((__m256d)p, scale);
  return (v4d)_mm256_sub_pd(_mm256_set1_pd(1.0), _mm256_div_pd(_mm256_set1_pd(2.0), _mm256_add_pd(e, _mm256_set1_pd(1.0))));
}
static inline v8f tanh8(v8f v) {
  const __m256 u = _mm256_max_ps(_mm256_min_ps(_mm256_add_ps((__m256)v, (__m256)v), _mm256_set1_ps(40.0f)), _mm256_set1_ps(-40.0f));
  const __m256 k = _mm256_round_ps(_mm256_mul_ps(u, _mm256_set1_ps(1.44269504f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m256 r = (__m256)fma8((v8f)k, (v8f)_mm256_set1_ps(-1.42860677e-6f), fma8((v8f)k, (v8f)_mm256_set1_ps(-0.693145752f), (v8f)u));
  static const float c[8] = {1.0f / 5040.0f, 1.0f / 720.0f, 1.0f / 120.0f, 1.0f / 24.0f, 1.0f / 6.0f, 0.5f, 1.0f, 1.0f};
  v8f p = (v8f)_mm256_set1_ps(c[0]);
  for (int i = 1; i < 8; i++) p = fma8(p, (v8f)r, (v8f)_mm256_set1_ps(c[i]));
  const __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23));
  const __m256 e = _mm256_mul_ps((__m256)p, scale);
  return (v8f)_mm256_sub_ps(_mm256_set1_ps(1.0f), _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, _mm256_set1_ps(1.0f))));
}
#define STOCHDYN_TANH "exp-poly"
#else
static inline v4d tanh4(v4d v) {
  for (int k = 0; k < 4; k++) v[k] = 1.0 - 2.0 / (exp(2.0 * v[k]) + 1.0);
  return v;
}
static inline v8f tanh8(v8f v) {
  for (int k = 0; k < 8; k++) v[k] = 1.0f - 2.0f / (expf(2.0f * v[k]) + 1.0f);
  return v;
}
#define STOCHDYN_TANH "libm"
#endif

static inline v4d bcast4(const double *p) { return splat4(*p); }
static inline v8f bcast8(const float *p) { return splat8(*p); }

#define T double
#define VT v4d
#define BCAST_V bcast4
#define V 4
#define SPLAT_V splat4
#define FMA_V fma4
#define TANH_V tanh4
#define SUF 64
#include "relation-learner.inc"
#undef T
#undef VT
#undef V
#undef SPLAT_V
#undef FMA_V
#undef TANH_V
#undef SUF
#undef BCAST_V

#define T float
#define VT v8f
#define BCAST_V bcast8
#define V 8
#define SPLAT_V splat8
#define FMA_V fma8
#define TANH_V tanh8
#define SUF 32
#include "relation-learner.inc"

const char *stochdyn_tanh_kind(void) { return STOCHDYN_TANH; }

napi_value stochdyn_rl_energy_grad(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value argv[16];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 16)
    return stochdyn_throw(env, "rlEnergyGrad(precision, x, count, dim, n, d, combine, depth, width, picks, pickStride, nPick, pairs, labels, energy, grad): 16 arguments");
  int32_t prec, count, dim, n, d, combine, depth, width, pickStride, nPick;
  size_t nx, npk, npr, nl, ne, ng;
  if (!stochdyn_int(env, argv[0], &prec, "rlEnergyGrad: precision must be 32 or 64")) return NULL;
  const double *x = stochdyn_typed(env, argv[1], napi_float64_array, &nx, "rlEnergyGrad: x must be a Float64Array");
  if (!x) return NULL;
  if (!stochdyn_int(env, argv[2], &count, "rlEnergyGrad: count must be a number")) return NULL;
  if (!stochdyn_int(env, argv[3], &dim, "rlEnergyGrad: dim must be a number")) return NULL;
  if (!stochdyn_int(env, argv[4], &n, "rlEnergyGrad: n must be a number")) return NULL;
  if (!stochdyn_int(env, argv[5], &d, "rlEnergyGrad: d must be a number")) return NULL;
  if (!stochdyn_int(env, argv[6], &combine, "rlEnergyGrad: combine must be a number")) return NULL;
  if (!stochdyn_int(env, argv[7], &depth, "rlEnergyGrad: depth must be a number")) return NULL;
  if (!stochdyn_int(env, argv[8], &width, "rlEnergyGrad: width must be a number")) return NULL;
  const int32_t *picks = stochdyn_typed(env, argv[9], napi_int32_array, &npk, "rlEnergyGrad: picks must be an Int32Array");
  if (!picks) return NULL;
  if (!stochdyn_int(env, argv[10], &pickStride, "rlEnergyGrad: pickStride must be a number")) return NULL;
  if (!stochdyn_int(env, argv[11], &nPick, "rlEnergyGrad: nPick must be a number")) return NULL;
  const int32_t *pairs = stochdyn_typed(env, argv[12], napi_int32_array, &npr, "rlEnergyGrad: pairs must be an Int32Array");
  if (!pairs) return NULL;
  const double *labels = stochdyn_typed(env, argv[13], napi_float64_array, &nl, "rlEnergyGrad: labels must be a Float64Array");
  if (!labels) return NULL;
  double *energy = stochdyn_typed(env, argv[14], napi_float64_array, &ne, "rlEnergyGrad: energy must be a Float64Array");
  if (!energy) return NULL;
  double *grad = stochdyn_typed(env, argv[15], napi_float64_array, &ng, "rlEnergyGrad: grad must be a Float64Array");
  if (!grad) return NULL;
  const int I = combine == 0 ? 2 * d : d;
  long expectDim = (long)n * d;
  for (int l = 0; l < depth; l++) expectDim += (long)(l == 0 ? I : width) * width + width;
  expectDim += (depth == 0 ? I : width) + 1;
  if ((prec != 32 && prec != 64) || count < 0 || n < 1 || d < 1 || combine < 0 || combine > 2 || depth < 0 || depth > RL_MAX_DEPTH ||
      (depth > 0 && width < 1) || nPick < 1 || dim != expectDim || nx < (size_t)count * dim || ne < (size_t)count || ng < (size_t)count * dim ||
      nl < npr || (size_t)((long)(count > 0 ? count - 1 : 0) * pickStride + nPick) > npk)
    return stochdyn_throw(env, "rlEnergyGrad: sizes do not match the network");
  for (int r = 0; r < count; r++)
    for (int q = 0; q < nPick; q++) {
      const int32_t k = picks[(long)r * pickStride + q];
      if (k < 0 || (size_t)k >= npr || pairs[k] < 0 || pairs[k] >= n * n) return stochdyn_throw(env, "rlEnergyGrad: a pick is out of range");
    }
  const long elems = prec == 64 ? rl_scratch_64(I, width, depth) : rl_scratch_32(I, width, depth);
  void *scratch = stochdyn_scratch(env, (size_t)elems * (prec == 64 ? sizeof(double) : sizeof(float)));
  if (!scratch) return stochdyn_throw(env, "rlEnergyGrad: out of memory");
  if (prec == 64)
    rl_energy_grad_64(x, count, dim, n, d, combine, depth, width, picks, pickStride, nPick, pairs, labels, energy, grad, scratch);
  else
    rl_energy_grad_32(x, count, dim, n, d, combine, depth, width, picks, pickStride, nPick, pairs, labels, energy, grad, scratch);
  return NULL;
}
