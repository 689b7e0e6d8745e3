/*
 * Native kernels of stochdyn (an N-API addon built from source by node-gyp at
 * install; src/native/index.ts loads it and falls back to the TypeScript
 * kernels when it is missing).
 *
 * Every function here computes exactly the floating-point operations of its
 * TypeScript twin, in the same order, so the results are bit for bit the
 * same on any machine: the build turns off contraction into fused
 * multiply-adds (-ffp-contract=off), the SIMD paths apply per lane the scalar
 * operations, and the ziggurat tables come from the TypeScript side
 * (setTables) instead of being recomputed here.
 *
 *   setTables(kn: Int32Array(128), wn: Float64Array(128))
 *   fillNormals(states, count, perStep, K, out, fixIdx, fixWord, fixRep, io)
 *       the ziggurat's fast path for a noise block (src/random/noise.ts
 *       fillNormals): out[k*count*perStep + r*perStep + j] for replicas
 *       io[0] … ; draws that leave the fast region are listed in fixIdx /
 *       fixWord / fixRep for the TypeScript side to finish in stream order.
 *       Stops before a group of replicas whose rejections might not fit the
 *       lists: io[0] = first replica not done, io[1] = entries listed.
 *   stepPoly1D(x, frozen, z, zOff, count, lr, wd, sig, noise, coef, badIdx, badVal)
 *       the fused overdamped step for a 1-D gradient given as polynomial
 *       coefficients (Horner, highest power first):
 *       x ← x − lr (g(x) + wd x) [+ sig z]; returns how many replicas left
 *       the bounds (their indices and values in badIdx / badVal, x unchanged).
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#ifdef __AVX2__
#include <immintrin.h>
#endif
#include "native.h"

static int32_t KN[128];
static double WN[128];
static int tables_set = 0;

#define DIVERGENCE_LIMIT 1e100
#define MAX_DEGREE 16

/* ---- argument helpers ---------------------------------------------------- */

napi_value stochdyn_throw(napi_env env, const char *msg) {
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}
#define throw_type stochdyn_throw

void *stochdyn_typed(napi_env env, napi_value v, napi_typedarray_type want, size_t *len, const char *what) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) {
    stochdyn_throw(env, what);
    return NULL;
  }
  napi_typedarray_type t;
  void *data;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &t, len, &data, &ab, &off) != napi_ok || t != want) {
    stochdyn_throw(env, what);
    return NULL;
  }
  return data;
}
#define typed stochdyn_typed

int stochdyn_int(napi_env env, napi_value v, int32_t *out, const char *what) {
  if (napi_get_value_int32(env, v, out) != napi_ok) {
    stochdyn_throw(env, what);
    return 0;
  }
  return 1;
}
#define int_arg stochdyn_int

/* Per-environment (per-thread) scratch, freed with the environment. */
typedef struct {
  void *p;
  size_t bytes;
} scratch_t;

static void free_scratch(napi_env env, void *data, void *hint) {
  scratch_t *s = data;
  free(s->p);
  free(s);
}

void *stochdyn_scratch(napi_env env, size_t bytes) {
  scratch_t *s = NULL;
  if (napi_get_instance_data(env, (void **)&s) != napi_ok) return NULL;
  if (!s) {
    s = calloc(1, sizeof *s);
    if (!s || napi_set_instance_data(env, s, free_scratch, NULL) != napi_ok) return NULL;
  }
  if (s->bytes < bytes) {
    free(s->p);
    const size_t b = (bytes + 63) & ~(size_t)63;
    s->p = aligned_alloc(64, b);
    s->bytes = s->p ? b : 0;
  }
  return s->p;
}

static int num_arg(napi_env env, napi_value v, double *out, const char *what) {
  if (napi_get_value_double(env, v, out) != napi_ok) {
    throw_type(env, what);
    return 0;
  }
  return 1;
}

/* ---- tables -------------------------------------------------------------- */

static napi_value set_tables(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 2) return throw_type(env, "setTables(kn: Int32Array(128), wn: Float64Array(128))");
  size_t nk, nw;
  int32_t *kn = typed(env, argv[0], napi_int32_array, &nk, "setTables: kn must be an Int32Array");
  if (!kn) return NULL;
  double *wn = typed(env, argv[1], napi_float64_array, &nw, "setTables: wn must be a Float64Array");
  if (!wn) return NULL;
  if (nk != 128 || nw != 128) return throw_type(env, "setTables: both tables have 128 entries");
  memcpy(KN, kn, sizeof KN);
  memcpy(WN, wn, sizeof WN);
  tables_set = 1;
  return NULL;
}

/* ---- normals ------------------------------------------------------------- */

/* One replica's K × perStep normals (the scalar loop of noise.ts, same words, same order). */
static int32_t fill_one(uint32_t *st, int32_t r, int32_t row, int32_t perStep, int32_t K, double *out, int32_t *fi, int32_t *fw,
                        int32_t *fr, int32_t nf) {
  uint32_t a = st[4 * r], b = st[4 * r + 1], c = st[4 * r + 2], d = st[4 * r + 3];
  const int32_t base = r * perStep;
  for (int32_t k = 0; k < K; k++) {
    const int32_t rowBase = k * row + base;
    for (int32_t j = 0; j < perStep; j++) {
      const uint32_t t = a + b + d;
      d = d + 1;
      a = b ^ (b >> 9);
      b = c + (c << 3);
      c = ((c << 21) | (c >> 11)) + t;
      const int32_t i = (int32_t)(t & 127);
      const int32_t m = ((int32_t)t) >> 7;
      out[rowBase + j] = ((double)m + 0.5) * WN[i];
      if ((m ^ (m >> 31)) >= KN[i]) {
        fi[nf] = rowBase + j;
        fw[nf] = (int32_t)t;
        fr[nf++] = r;
      }
    }
  }
  st[4 * r] = a;
  st[4 * r + 1] = b;
  st[4 * r + 2] = c;
  st[4 * r + 3] = d;
  return nf;
}

#ifdef __AVX2__
/* Eight replicas in the lanes of one AVX2 register set: the same recurrence per lane. */
static int32_t fill_eight(uint32_t *st, int32_t r, int32_t row, int32_t perStep, int32_t K, double *out, int32_t *fi, int32_t *fw,
                          int32_t *fr, int32_t nf) {
  uint32_t A[8], B[8], C[8], D[8];
  for (int l = 0; l < 8; l++) {
    A[l] = st[4 * (r + l)];
    B[l] = st[4 * (r + l) + 1];
    C[l] = st[4 * (r + l) + 2];
    D[l] = st[4 * (r + l) + 3];
  }
  __m256i a = _mm256_loadu_si256((const __m256i *)A), b = _mm256_loadu_si256((const __m256i *)B);
  __m256i c = _mm256_loadu_si256((const __m256i *)C), d = _mm256_loadu_si256((const __m256i *)D);
  const __m256i one = _mm256_set1_epi32(1), mask127 = _mm256_set1_epi32(127);
  const __m256d half = _mm256_set1_pd(0.5);
  int32_t Iv[8] __attribute__((aligned(32)));
  int32_t Tv[8] __attribute__((aligned(32)));
  double Ov[8] __attribute__((aligned(32)));
  for (int32_t k = 0; k < K; k++) {
    for (int32_t j = 0; j < perStep; j++) {
      const __m256i t = _mm256_add_epi32(_mm256_add_epi32(a, b), d);
      d = _mm256_add_epi32(d, one);
      a = _mm256_xor_si256(b, _mm256_srli_epi32(b, 9));
      b = _mm256_add_epi32(c, _mm256_slli_epi32(c, 3));
      c = _mm256_add_epi32(_mm256_or_si256(_mm256_slli_epi32(c, 21), _mm256_srli_epi32(c, 11)), t);
      const __m256i i = _mm256_and_si256(t, mask127);
      const __m256i m = _mm256_srai_epi32(t, 7);
      const __m256i am = _mm256_xor_si256(m, _mm256_srai_epi32(m, 31));
      _mm256_store_si256((__m256i *)Iv, i);
      const __m256i kn = _mm256_setr_epi32(KN[Iv[0]], KN[Iv[1]], KN[Iv[2]], KN[Iv[3]], KN[Iv[4]], KN[Iv[5]], KN[Iv[6]], KN[Iv[7]]);
      const __m256d w0 = _mm256_setr_pd(WN[Iv[0]], WN[Iv[1]], WN[Iv[2]], WN[Iv[3]]);
      const __m256d w1 = _mm256_setr_pd(WN[Iv[4]], WN[Iv[5]], WN[Iv[6]], WN[Iv[7]]);
      const __m256d lo = _mm256_mul_pd(_mm256_add_pd(_mm256_cvtepi32_pd(_mm256_castsi256_si128(m)), half), w0);
      const __m256d hi = _mm256_mul_pd(_mm256_add_pd(_mm256_cvtepi32_pd(_mm256_extracti128_si256(m, 1)), half), w1);
      /* accepted where kn > |m| (integer form); the rest are listed */
      const int rej = 0xff & ~_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(kn, am)));
      const int32_t at = k * row + r * perStep + j;
      if (perStep == 1) {
        _mm256_storeu_pd(out + at, lo);
        _mm256_storeu_pd(out + at + 4, hi);
      } else {
        _mm256_store_pd(Ov, lo);
        _mm256_store_pd(Ov + 4, hi);
        for (int l = 0; l < 8; l++) out[at + l * perStep] = Ov[l];
      }
      if (rej) {
        _mm256_store_si256((__m256i *)Tv, t);
        for (int l = 0; l < 8; l++) {
          if (rej & (1 << l)) {
            fi[nf] = at + l * perStep;
            fw[nf] = Tv[l];
            fr[nf++] = r + l;
          }
        }
      }
    }
  }
  _mm256_storeu_si256((__m256i *)A, a);
  _mm256_storeu_si256((__m256i *)B, b);
  _mm256_storeu_si256((__m256i *)C, c);
  _mm256_storeu_si256((__m256i *)D, d);
  for (int l = 0; l < 8; l++) {
    st[4 * (r + l)] = A[l];
    st[4 * (r + l) + 1] = B[l];
    st[4 * (r + l) + 2] = C[l];
    st[4 * (r + l) + 3] = D[l];
  }
  return nf;
}
#endif

static napi_value fill_normals(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 9) return throw_type(env, "fillNormals(states, count, perStep, K, out, fixIdx, fixWord, fixRep, io): 9 arguments");
  if (!tables_set) return throw_type(env, "fillNormals: setTables was not called");
  size_t ns, no, nfi, nfw, nfr, nio;
  int32_t count, perStep, K;
  uint32_t *st = typed(env, argv[0], napi_uint32_array, &ns, "fillNormals: states must be a Uint32Array");
  if (!st) return NULL;
  if (!int_arg(env, argv[1], &count, "fillNormals: count must be a number")) return NULL;
  if (!int_arg(env, argv[2], &perStep, "fillNormals: perStep must be a number")) return NULL;
  if (!int_arg(env, argv[3], &K, "fillNormals: K must be a number")) return NULL;
  double *out = typed(env, argv[4], napi_float64_array, &no, "fillNormals: out must be a Float64Array");
  if (!out) return NULL;
  int32_t *fi = typed(env, argv[5], napi_int32_array, &nfi, "fillNormals: fixIdx must be an Int32Array");
  if (!fi) return NULL;
  int32_t *fw = typed(env, argv[6], napi_int32_array, &nfw, "fillNormals: fixWord must be an Int32Array");
  if (!fw) return NULL;
  int32_t *fr = typed(env, argv[7], napi_int32_array, &nfr, "fillNormals: fixRep must be an Int32Array");
  if (!fr) return NULL;
  int32_t *io = typed(env, argv[8], napi_int32_array, &nio, "fillNormals: io must be an Int32Array");
  if (!io) return NULL;
  const size_t row = (size_t)count * (size_t)perStep;
  if (count < 0 || perStep < 1 || K < 1 || ns < 4 * (size_t)count || no < (size_t)K * row || nio < 2 || nfw < nfi || nfr < nfi)
    return throw_type(env, "fillNormals: array sizes do not match count, perStep and K");
  const int32_t per = K * perStep; /* draws per replica: at most this many rejections */
  const int32_t cap = (int32_t)nfi;
  int32_t r = io[0], nf = 0;
#ifdef __AVX2__
  for (; r + 8 <= count && nf + 8 * per <= cap; r += 8) nf = fill_eight(st, r, (int32_t)row, perStep, K, out, fi, fw, fr, nf);
#endif
  for (; r < count && nf + per <= cap; r++) nf = fill_one(st, r, (int32_t)row, perStep, K, out, fi, fw, fr, nf);
  io[0] = r;
  io[1] = nf;
  return NULL;
}

/* ---- fused 1-D step ------------------------------------------------------ */

static napi_value step_poly_1d(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value argv[12];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 12) return throw_type(env, "stepPoly1D(x, frozen, z, zOff, count, lr, wd, sig, noise, coef, badIdx, badVal): 12 arguments");
  size_t nx, nfz, nz, nc, nbi, nbv;
  int32_t zOff, count, noise;
  double lr, wd, sig;
  double *x = typed(env, argv[0], napi_float64_array, &nx, "stepPoly1D: x must be a Float64Array");
  if (!x) return NULL;
  uint8_t *frozen = typed(env, argv[1], napi_uint8_array, &nfz, "stepPoly1D: frozen must be a Uint8Array");
  if (!frozen) return NULL;
  double *z = typed(env, argv[2], napi_float64_array, &nz, "stepPoly1D: z must be a Float64Array");
  if (!z) return NULL;
  if (!int_arg(env, argv[3], &zOff, "stepPoly1D: zOff must be a number")) return NULL;
  if (!int_arg(env, argv[4], &count, "stepPoly1D: count must be a number")) return NULL;
  if (!num_arg(env, argv[5], &lr, "stepPoly1D: lr must be a number")) return NULL;
  if (!num_arg(env, argv[6], &wd, "stepPoly1D: wd must be a number")) return NULL;
  if (!num_arg(env, argv[7], &sig, "stepPoly1D: sig must be a number")) return NULL;
  if (!int_arg(env, argv[8], &noise, "stepPoly1D: noise must be 0 or 1")) return NULL;
  double *coef = typed(env, argv[9], napi_float64_array, &nc, "stepPoly1D: coef must be a Float64Array");
  if (!coef) return NULL;
  int32_t *bi = typed(env, argv[10], napi_int32_array, &nbi, "stepPoly1D: badIdx must be an Int32Array");
  if (!bi) return NULL;
  double *bv = typed(env, argv[11], napi_float64_array, &nbv, "stepPoly1D: badVal must be a Float64Array");
  if (!bv) return NULL;
  if (count < 0 || nx < (size_t)count || nfz < (size_t)count || (noise && (zOff < 0 || nz < (size_t)zOff + (size_t)count)) || nc < 1 ||
      nc > MAX_DEGREE + 1 || nbi < (size_t)count || nbv < (size_t)count)
    return throw_type(env, "stepPoly1D: array sizes do not match count");
  const int32_t deg = (int32_t)nc - 1;
  int32_t nbad = 0, r = 0;
#ifdef __AVX2__
  {
    const __m256d vlr = _mm256_set1_pd(lr), vwd = _mm256_set1_pd(wd), vsig = _mm256_set1_pd(sig);
    const __m256d hiL = _mm256_set1_pd(DIVERGENCE_LIMIT), loL = _mm256_set1_pd(-DIVERGENCE_LIMIT);
    __m256d vc[MAX_DEGREE + 1];
    for (int32_t k = 0; k <= deg; k++) vc[k] = _mm256_set1_pd(coef[k]);
    for (; r + 4 <= count; r += 4) {
      uint32_t fz;
      memcpy(&fz, frozen + r, 4);
      const __m256d xi = _mm256_loadu_pd(x + r);
      __m256d g = vc[0];
      for (int32_t k = 1; k <= deg; k++) g = _mm256_add_pd(_mm256_mul_pd(g, xi), vc[k]);
      __m256d xn = _mm256_sub_pd(xi, _mm256_mul_pd(vlr, _mm256_add_pd(g, _mm256_mul_pd(vwd, xi))));
      if (noise) xn = _mm256_add_pd(xn, _mm256_mul_pd(vsig, _mm256_loadu_pd(z + zOff + r)));
      const __m256d ok = _mm256_and_pd(_mm256_cmp_pd(xn, hiL, _CMP_LT_OQ), _mm256_cmp_pd(xn, loL, _CMP_GT_OQ));
      const int okm = _mm256_movemask_pd(ok);
      if (fz == 0 && okm == 0xf) {
        _mm256_storeu_pd(x + r, xn);
        continue;
      }
      double xv[4];
      _mm256_storeu_pd(xv, xn);
      for (int l = 0; l < 4; l++) {
        if (frozen[r + l] != 0) continue;
        if (okm & (1 << l))
          x[r + l] = xv[l];
        else {
          bi[nbad] = r + l;
          bv[nbad++] = xv[l];
        }
      }
    }
  }
#endif
  for (; r < count; r++) {
    if (frozen[r] != 0) continue;
    const double xi = x[r];
    double g = coef[0];
    for (int32_t k = 1; k <= deg; k++) g = g * xi + coef[k];
    double xn = xi - lr * (g + wd * xi);
    if (noise) xn += sig * z[zOff + r];
    if (xn < DIVERGENCE_LIMIT && xn > -DIVERGENCE_LIMIT)
      x[r] = xn;
    else {
      bi[nbad] = r;
      bv[nbad++] = xn;
    }
  }
  napi_value res;
  napi_create_int32(env, nbad, &res);
  return res;
}

/* ---- uniform overdamped update ------------------------------------------- */

/*
 * stepUniform(x, grad, z, zOff, frozen, count, dim, lr, wd, sig, noise, badIdx, badVal)
 * — the overdamped update with one (η, θ, λ) for every coordinate
 * (overdamped-langevin.ts stepUniform): per replica not frozen,
 * x_j ← x_j − lr (g_j + wd x_j) [+ sig z_j]; a replica with any coordinate
 * out of bounds keeps its old row and is listed (index, last bad value).
 */
static napi_value step_uniform(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 13) return throw_type(env, "stepUniform(x, grad, z, zOff, frozen, count, dim, lr, wd, sig, noise, badIdx, badVal): 13 arguments");
  size_t nx, ng, nz, nfz, nbi, nbv;
  int32_t zOff, count, dim, noise;
  double lr, wd, sig;
  double *x = typed(env, argv[0], napi_float64_array, &nx, "stepUniform: x must be a Float64Array");
  if (!x) return NULL;
  const double *g = typed(env, argv[1], napi_float64_array, &ng, "stepUniform: grad must be a Float64Array");
  if (!g) return NULL;
  const double *z = typed(env, argv[2], napi_float64_array, &nz, "stepUniform: z must be a Float64Array");
  if (!z) return NULL;
  if (!int_arg(env, argv[3], &zOff, "stepUniform: zOff must be a number")) return NULL;
  const uint8_t *frozen = typed(env, argv[4], napi_uint8_array, &nfz, "stepUniform: frozen must be a Uint8Array");
  if (!frozen) return NULL;
  if (!int_arg(env, argv[5], &count, "stepUniform: count must be a number")) return NULL;
  if (!int_arg(env, argv[6], &dim, "stepUniform: dim must be a number")) return NULL;
  if (!num_arg(env, argv[7], &lr, "stepUniform: lr must be a number")) return NULL;
  if (!num_arg(env, argv[8], &wd, "stepUniform: wd must be a number")) return NULL;
  if (!num_arg(env, argv[9], &sig, "stepUniform: sig must be a number")) return NULL;
  if (!int_arg(env, argv[10], &noise, "stepUniform: noise must be 0 or 1")) return NULL;
  int32_t *bi = typed(env, argv[11], napi_int32_array, &nbi, "stepUniform: badIdx must be an Int32Array");
  if (!bi) return NULL;
  double *bv = typed(env, argv[12], napi_float64_array, &nbv, "stepUniform: badVal must be a Float64Array");
  if (!bv) return NULL;
  const size_t n = (size_t)count * (size_t)dim;
  if (count < 0 || dim < 1 || nx < n || ng < n || nfz < (size_t)count || (noise && (zOff < 0 || nz < (size_t)zOff + n)) || nbi < (size_t)count ||
      nbv < (size_t)count)
    return throw_type(env, "stepUniform: array sizes do not match count and dim");
  double *row = stochdyn_scratch(env, sizeof(double) * (size_t)dim);
  if (!row) return throw_type(env, "stepUniform: out of memory");
  int32_t nbad = 0;
  for (int32_t r = 0; r < count; r++) {
    if (frozen[r] != 0) continue;
    double *xr = x + (size_t)r * dim;
    const double *gr = g + (size_t)r * dim;
    const double *zr = z + zOff + (size_t)r * dim;
    int ok = 1;
    double bad = 0;
    int32_t j = 0;
#ifdef __AVX2__
    const __m256d vlr = _mm256_set1_pd(lr), vwd = _mm256_set1_pd(wd), vsig = _mm256_set1_pd(sig);
    const __m256d hiL = _mm256_set1_pd(DIVERGENCE_LIMIT), loL = _mm256_set1_pd(-DIVERGENCE_LIMIT);
    __m256d okv = _mm256_castsi256_pd(_mm256_set1_epi64x(-1));
    for (; j + 4 <= dim; j += 4) {
      const __m256d xi = _mm256_loadu_pd(xr + j);
      __m256d xn = _mm256_sub_pd(xi, _mm256_mul_pd(vlr, _mm256_add_pd(_mm256_loadu_pd(gr + j), _mm256_mul_pd(vwd, xi))));
      if (noise) xn = _mm256_add_pd(xn, _mm256_mul_pd(vsig, _mm256_loadu_pd(zr + j)));
      _mm256_storeu_pd(row + j, xn);
      okv = _mm256_and_pd(okv, _mm256_and_pd(_mm256_cmp_pd(xn, hiL, _CMP_LT_OQ), _mm256_cmp_pd(xn, loL, _CMP_GT_OQ)));
    }
    if (_mm256_movemask_pd(okv) != 0xf) {
      ok = 0;
      for (int32_t k = 0; k < j; k++)
        if (!(row[k] < DIVERGENCE_LIMIT && row[k] > -DIVERGENCE_LIMIT)) bad = row[k];
    }
#endif
    for (; j < dim; j++) {
      const double xi = xr[j];
      double xn = xi - lr * (gr[j] + wd * xi);
      if (noise) xn += sig * zr[j];
      row[j] = xn;
      if (!(xn < DIVERGENCE_LIMIT && xn > -DIVERGENCE_LIMIT)) {
        ok = 0;
        bad = xn;
      }
    }
    if (ok)
      memcpy(xr, row, sizeof(double) * (size_t)dim);
    else {
      bi[nbad] = r;
      bv[nbad++] = bad;
    }
  }
  napi_value res;
  napi_create_int32(env, nbad, &res);
  return res;
}

/* ---- module -------------------------------------------------------------- */

static napi_value str(napi_env env, const char *v) {
  napi_value s;
  napi_create_string_utf8(env, v, NAPI_AUTO_LENGTH, &s);
  return s;
}

static napi_value simd_name(napi_env env) {
  napi_value s;
#ifdef __AVX2__
  napi_create_string_utf8(env, "avx2", NAPI_AUTO_LENGTH, &s);
#else
  napi_create_string_utf8(env, "scalar", NAPI_AUTO_LENGTH, &s);
#endif
  return s;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"setTables", NULL, set_tables, NULL, NULL, NULL, napi_enumerable, NULL},
      {"fillNormals", NULL, fill_normals, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stepPoly1D", NULL, step_poly_1d, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stepUniform", NULL, step_uniform, NULL, NULL, NULL, napi_enumerable, NULL},
      {"rlEnergyGrad", NULL, stochdyn_rl_energy_grad, NULL, NULL, NULL, napi_enumerable, NULL},
      {"maEnergyGrad", NULL, stochdyn_ma_energy_grad, NULL, NULL, NULL, napi_enumerable, NULL},
      {"simd", NULL, NULL, NULL, NULL, simd_name(env), napi_enumerable, NULL},
#ifdef __FMA__
      {"fma", NULL, NULL, NULL, NULL, str(env, "fma"), napi_enumerable, NULL},
#else
      {"fma", NULL, NULL, NULL, NULL, str(env, "none"), napi_enumerable, NULL},
#endif
      {"tanh", NULL, NULL, NULL, NULL, str(env, stochdyn_tanh_kind()), napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
