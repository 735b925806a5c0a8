/*===- sattn_c.h - C interface of the runtime (for ctypes, PyTorch, ...) -===*
 *
 * Loads a compiled pattern (manifest + cubin) and launches it on device
 * pointers, e.g. torch tensors' data_ptr(). Errors come back as a non-zero
 * return value with the message copied into `err` (truncated to `err_len`).
 *
 *===----------------------------------------------------------------------===*/
#ifndef SATTN_C_H
#define SATTN_C_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define SATTN_C_API __attribute__((visibility("default")))
#else
#define SATTN_C_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sattn_module sattn_module;

/* NULL on failure (message in err). */
SATTN_C_API sattn_module *sattn_module_load(const char *manifest_path, char *err,
                                size_t err_len);
SATTN_C_API void sattn_module_free(sattn_module *module);

/* Tensors: q, o [B, H, Sq, D]; k, v [B, Hkv, Sk, D], contiguous, 16-byte
 * aligned device memory. workspace may be NULL (the module allocates and
 * keeps the delta workspace). stream is a CUstream (NULL: default).
 * Returns 0 on success, 2 for bad arguments, 1 for other failures. */
SATTN_C_API int sattn_module_launch(sattn_module *module, int64_t B, int64_t H,
                        int64_t Hkv, int64_t Sq, int64_t Sk, int64_t D,
                        const void *q, const void *k, const void *v, void *o,
                        void *workspace, void *stream, char *err,
                        size_t err_len);

/* A tensor the pattern reads at launch besides q, k, v (the manifest's
 * "tensors", e.g. learnable sinks: name "sinks", dtype "f32", shape [H]):
 * contiguous device memory aligned to its element. */
typedef struct sattn_tensor {
  const char *name;
  const void *data;
  const char *dtype; /* "f32" or "i32" */
  int32_t ndim;
  const int64_t *shape; /* ndim extents, outermost first */
} sattn_tensor;

/* sattn_module_launch with the pattern's launch tensors: exactly those the
 * manifest lists, in any order; each is checked (name, dtype, shape,
 * pointer) before anything runs. */
SATTN_C_API int sattn_module_launch_tensors(
    sattn_module *module, int64_t B, int64_t H, int64_t Hkv, int64_t Sq,
    int64_t Sk, int64_t D, const void *q, const void *k, const void *v, void *o,
    void *workspace, const sattn_tensor *tensors, size_t num_tensors,
    void *stream, char *err, size_t err_len);

/* Bytes of delta workspace a launch of this shape needs (0 if none). */
SATTN_C_API int64_t sattn_module_workspace_bytes(const sattn_module *module, int64_t B,
                                     int64_t H, int64_t Hkv, int64_t Sq,
                                     int64_t Sk, int64_t D);

#ifdef __cplusplus
}
#endif

#endif /* SATTN_C_H */
