/*
 * maEnergyGrad(precision, x, count, dim, P, N, picks, pickStride, nPick,
 *              rowN, rowM, cls, off, g2, dataScale, ipw, ipa, energy, grad)
 * — the modular-addition-square kernel (modular-addition.inc) in float64
 * (precision 64) or float32 (32) arithmetic; positions, energies and
 * gradients are float64 arrays either way. Arguments as the WebAssembly
 * kernel's (assembly/modular-addition.ts), but typed arrays instead of offsets.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdint.h>
#include <string.h>
#include "native.h"
#include "vec.h"

#define T double
#define VT v4d
#define V 4
#define SPLAT_V splat4
#define FMA_V fma4
#define SUF 64
#include "modular-addition.inc"
#undef T
#undef VT
#undef V
#undef SPLAT_V
#undef FMA_V
#undef SUF

#define T float
#define VT v8f
#define V 8
#define SPLAT_V splat8
#define FMA_V fma8
#define SUF 32
#include "modular-addition.inc"

static int num(napi_env env, napi_value v, double *out, const char *what) {
  if (napi_get_value_double(env, v, out) != napi_ok) {
    stochdyn_throw(env, what);
    return 0;
  }
  return 1;
}

napi_value stochdyn_ma_energy_grad(napi_env env, napi_callback_info info) {
  size_t argc = 19;
  napi_value argv[19];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 19)
    return stochdyn_throw(
        env, "maEnergyGrad(precision, x, count, dim, P, N, picks, pickStride, nPick, rowN, rowM, cls, off, g2, dataScale, ipw, ipa, energy, grad): 19 arguments");
  int32_t prec, count, dim, P, N, pickStride, nPick;
  double off, g2, dataScale, ipw, ipa;
  size_t nx, npk, nrn, nrm, ncl, ne, ng;
  if (!stochdyn_int(env, argv[0], &prec, "maEnergyGrad: precision must be 32 or 64")) return NULL;
  const double *x = stochdyn_typed(env, argv[1], napi_float64_array, &nx, "maEnergyGrad: x must be a Float64Array");
  if (!x) return NULL;
  if (!stochdyn_int(env, argv[2], &count, "maEnergyGrad: count must be a number")) return NULL;
  if (!stochdyn_int(env, argv[3], &dim, "maEnergyGrad: dim must be a number")) return NULL;
  if (!stochdyn_int(env, argv[4], &P, "maEnergyGrad: P must be a number")) return NULL;
  if (!stochdyn_int(env, argv[5], &N, "maEnergyGrad: N must be a number")) return NULL;
  const int32_t *picks = stochdyn_typed(env, argv[6], napi_int32_array, &npk, "maEnergyGrad: picks must be an Int32Array");
  if (!picks) return NULL;
  if (!stochdyn_int(env, argv[7], &pickStride, "maEnergyGrad: pickStride must be a number")) return NULL;
  if (!stochdyn_int(env, argv[8], &nPick, "maEnergyGrad: nPick must be a number")) return NULL;
  const int32_t *rowN = stochdyn_typed(env, argv[9], napi_int32_array, &nrn, "maEnergyGrad: rowN must be an Int32Array");
  if (!rowN) return NULL;
  const int32_t *rowM = stochdyn_typed(env, argv[10], napi_int32_array, &nrm, "maEnergyGrad: rowM must be an Int32Array");
  if (!rowM) return NULL;
  const int32_t *cls = stochdyn_typed(env, argv[11], napi_int32_array, &ncl, "maEnergyGrad: cls must be an Int32Array");
  if (!cls) return NULL;
  if (!num(env, argv[12], &off, "maEnergyGrad: off must be a number") || !num(env, argv[13], &g2, "maEnergyGrad: g2 must be a number") ||
      !num(env, argv[14], &dataScale, "maEnergyGrad: dataScale must be a number") || !num(env, argv[15], &ipw, "maEnergyGrad: ipw must be a number") ||
      !num(env, argv[16], &ipa, "maEnergyGrad: ipa must be a number"))
    return NULL;
  double *energy = stochdyn_typed(env, argv[17], napi_float64_array, &ne, "maEnergyGrad: energy must be a Float64Array");
  if (!energy) return NULL;
  double *grad = stochdyn_typed(env, argv[18], napi_float64_array, &ng, "maEnergyGrad: grad must be a Float64Array");
  if (!grad) return NULL;
  if ((prec != 32 && prec != 64) || count < 0 || P < 1 || N < 1 || nPick < 1 || dim != N * 3 * P || nx < (size_t)count * dim || ne < (size_t)count ||
      ng < (size_t)count * dim || nrm < nrn || ncl < nrn || (size_t)((long)(count > 0 ? count - 1 : 0) * pickStride + nPick) > npk)
    return stochdyn_throw(env, "maEnergyGrad: sizes do not match the network");
  for (size_t i = 0; i < nrn; i++)
    if (rowN[i] < 0 || rowN[i] >= 2 * P || rowM[i] < 0 || rowM[i] >= 2 * P || cls[i] < 0 || cls[i] >= P)
      return stochdyn_throw(env, "maEnergyGrad: a training pair is out of range");
  for (int r = 0; r < count; r++)
    for (int q = 0; q < nPick; q++) {
      const int32_t k = picks[(long)r * pickStride + q];
      if (k < 0 || (size_t)k >= nrn) return stochdyn_throw(env, "maEnergyGrad: a pick is out of range");
    }
  const long elems = prec == 64 ? ma_scratch_64(P, N) : ma_scratch_32(P, N);
  void *scratch = stochdyn_scratch(env, (size_t)elems * (prec == 64 ? sizeof(double) : sizeof(float)));
  if (!scratch) return stochdyn_throw(env, "maEnergyGrad: out of memory");
  if (prec == 64)
    ma_energy_grad_64(x, count, dim, P, N, picks, pickStride, nPick, rowN, rowM, cls, off, g2, dataScale, ipw, ipa, energy, grad, scratch);
  else
    ma_energy_grad_32(x, count, dim, P, N, picks, pickStride, nPick, rowN, rowM, cls, off, g2, dataScale, ipw, ipa, energy, grad, scratch);
  return NULL;
}
