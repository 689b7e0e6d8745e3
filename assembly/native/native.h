/* Shared helpers of the native kernels (stochdyn.c). */
#ifndef STOCHDYN_NATIVE_H
#define STOCHDYN_NATIVE_H
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

/* Throw a TypeError with `msg`; returns NULL for `return stochdyn_throw(…)`. */
napi_value stochdyn_throw(napi_env env, const char *msg);
/* The data of a typed array of type `want` (its length in *len), or NULL with a TypeError `what` pending. */
void *stochdyn_typed(napi_env env, napi_value v, napi_typedarray_type want, size_t *len, const char *what);
/* An int32 argument; 0 with a TypeError `what` pending. */
int stochdyn_int(napi_env env, napi_value v, int32_t *out, const char *what);
/* A 64-byte-aligned scratch buffer of at least `bytes` owned by this thread's environment (reused by every call). */
void *stochdyn_scratch(napi_env env, size_t bytes);
/* The relation-learner kernel (relation-learner.c) and the tanh it uses. */
napi_value stochdyn_rl_energy_grad(napi_env env, napi_callback_info info);
const char *stochdyn_tanh_kind(void);
/* The modular-addition-square kernel (modular-addition.c). */
napi_value stochdyn_ma_energy_grad(napi_env env, napi_callback_info info);
#endif
