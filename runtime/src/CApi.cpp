//===- CApi.cpp - C interface of the runtime ------------------------------===//
#include "sattn/sattn_c.h"

#include "sattn/Runtime.h"

#include <cstring>

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

int64_t sattn_module_workspace_bytes(const sattn_module *module, int64_t B,
                                     int64_t H, int64_t Hkv, int64_t Sq,
                                     int64_t Sk, int64_t D) {
  if (!module)
    return 0;
  return sattn::deltaWorkspaceBytes(module->module->manifest(),
                                    {B, H, Hkv, Sq, Sk, D});
}

} // extern "C"
