//===- CApi.cpp - C interface of the runtime ------------------------------===//
#include "sattn/sattn_c.h"

#include "sattn/Runtime.h"

#include <cstring>
#include <string>
#include <vector>

struct sattn_module {
  std::shared_ptr<sattn::rt::Module> module;
};

namespace {

void copyError(const std::string &message, char *err, size_t errLen) {
  if (!err || errLen == 0)
    return;
  size_t n = std::min(message.size(), errLen - 1);
  std::memcpy(err, message.data(), n);
  err[n] = '\0';
}

} // namespace

extern "C" {

sattn_module *sattn_module_load(const char *manifestPath, char *err,
                                size_t errLen) {
  if (!manifestPath) {
    copyError("sattn_module_load: manifest path is null", err, errLen);
    return nullptr;
  }
  auto loaded = sattn::rt::Module::loadFromFiles(manifestPath);
  if (!loaded) {
    copyError(loaded.status().message(), err, errLen);
    return nullptr;
  }
  return new sattn_module{loaded.take()};
}

void sattn_module_free(sattn_module *module) { delete module; }

int sattn_module_launch(sattn_module *module, int64_t B, int64_t H,
                        int64_t Hkv, int64_t Sq, int64_t Sk, int64_t D,
                        const void *q, const void *k, const void *v, void *o,
                        void *workspace, void *stream, char *err,
                        size_t errLen) {
  if (!module) {
    copyError("sattn_module_launch: module is null", err, errLen);
    return 2;
  }
  sattn::Status s = module->module->launch({B, H, Hkv, Sq, Sk, D},
                                           {q, k, v, o, workspace}, stream);
  if (!s) {
    copyError(s.message(), err, errLen);
    return sattn::exitCodeFor(s) == 2 ? 2 : 1;
  }
  return 0;
}

int sattn_module_launch_tensors(sattn_module *module, int64_t B, int64_t H,
                                int64_t Hkv, int64_t Sq, int64_t Sk, int64_t D,
                                const void *q, const void *k, const void *v,
                                void *o, void *workspace,
                                const sattn_tensor *tensors, size_t numTensors,
                                void *stream, char *err, size_t errLen) {
  const char *fn = "sattn_module_launch_tensors: ";
  // The array is checked first, so that its errors are reported whatever
  // else is wrong.
  if (numTensors > 0 && !tensors) {
    copyError(std::string(fn) + "tensors is null but num_tensors is " +
                  std::to_string(numTensors),
              err, errLen);
    return 2;
  }
  // Each launch tensor has at most a few dimensions (Manifest.h: 4).
  constexpr int32_t kMaxDims = 8;
  sattn::LaunchBuffers bufs{q, k, v, o, workspace};
  for (size_t i = 0; i < numTensors; ++i) {
    const sattn_tensor &t = tensors[i];
    const std::string which =
        std::string(fn) + "tensors[" + std::to_string(i) + "]";
    if (!t.name || !t.dtype) {
      copyError(which + (t.name ? ".dtype" : ".name") + " is null", err,
                errLen);
      return 2;
    }
    if (t.ndim < 0 || t.ndim > kMaxDims || (t.ndim > 0 && !t.shape)) {
      copyError(which + " ('" + t.name + "'): ndim " + std::to_string(t.ndim) +
                    (t.ndim > 0 && !t.shape ? " with a null shape"
                                            : " is outside [0, 8]"),
                err, errLen);
      return 2;
    }
    bufs.tensors.push_back({t.name, t.data, t.dtype,
                            std::vector<int64_t>(t.shape, t.shape + t.ndim)});
  }
  if (!module) {
    copyError(std::string(fn) + "module is null", err, errLen);
    return 2;
  }
  sattn::Status s =
      module->module->launch({B, H, Hkv, Sq, Sk, D}, bufs, stream);
  if (!s) {
    copyError(s.message(), err, errLen);
    return sattn::exitCodeFor(s) == 2 ? 2 : 1;
  }
  return 0;
}

int64_t sattn_module_workspace_bytes(const sattn_module *module, int64_t B,
                                     int64_t H, int64_t Hkv, int64_t Sq,
                                     int64_t Sk, int64_t D) {
  if (!module)
    return 0;
  return sattn::deltaWorkspaceBytes(module->module->manifest(),
                                    {B, H, Hkv, Sq, Sk, D});
}

} // extern "C"
