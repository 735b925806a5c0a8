//===- LaunchInputs.cpp - Random launch tensors for tests and sparse-run --===//

#include "Reference/LaunchInputs.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace sattn::ref {

std::vector<int64_t> launchTensorExtents(const LaunchTensor &t,
                                         const Problem &p) {
  std::vector<int64_t> extents;
  for (const std::string &d : t.shape)
    extents.push_back(d == "B"      ? p.B
                      : d == "H"    ? p.H
                      : d == "Hkv"  ? p.Hkv
                      : d == "Sq"   ? p.Sq
                      : d == "Nd+1" ? p.Nd + 1
                                    : p.Sk);
  return extents;
}

std::vector<int64_t> randomDocumentOffsets(int64_t total, int64_t Nd,
                                           std::mt19937_64 &rng) {
  std::vector<int64_t> cuts;
  // A document of one token first, where there is room for it.
  if (Nd >= 2 && total >= 2)
    cuts.push_back(1);
  std::uniform_int_distribution<int64_t> at(0, total);
  while (int64_t(cuts.size()) < Nd - 1)
    cuts.push_back(at(rng));
  std::sort(cuts.begin(), cuts.end());
  std::vector<int64_t> offsets = {0};
  offsets.insert(offsets.end(), cuts.begin(), cuts.end());
  offsets.push_back(total);
  return offsets;
}

Tensors randomLaunchTensors(const PatternSpec &spec, const Problem &p,
                            std::mt19937_64 &rng) {
  Tensors tensors;
  for (const LaunchTensor &t : launchTensors(spec)) {
    int64_t n = 1;
    for (int64_t e : launchTensorExtents(t, p))
      n *= e;
    std::vector<double> values(static_cast<size_t>(n));
    if (t.name == "alibi_slopes") {
      // Head 0: no bias; the others from a slight pull towards later keys
      // to a strong recency bias (Press et al.'s geometric slopes lie in
      // [2^-8, 0.5]).
      std::uniform_real_distribution<double> slope(-0.02, 0.1);
      for (size_t h = 0; h < values.size(); ++h)
        values[h] =
            h == 0 ? 0.0 : static_cast<double>(static_cast<float>(slope(rng)));
    }
    if (t.name == "sinks") {
      std::uniform_real_distribution<double> logit(-4.0, 8.0);
      for (size_t h = 0; h < values.size(); ++h)
        values[h] = h == 0
                        ? -std::numeric_limits<double>::infinity()
                        : static_cast<double>(static_cast<float>(logit(rng)));
    }
    tensors[t.name] = std::move(values);
  }
  // Documents: independent random offsets per batch row; the same for
  // queries and keys when Sq == Sk (the prefill of packed sequences).
  if (tensors.count("cu_seqlens_q")) {
    std::vector<double> &cq = tensors["cu_seqlens_q"];
    std::vector<double> &ck = tensors["cu_seqlens_k"];
    for (int64_t b = 0; b < p.B; ++b) {
      std::vector<int64_t> q = randomDocumentOffsets(p.Sq, p.Nd, rng);
      std::vector<int64_t> k =
          p.Sq == p.Sk ? q : randomDocumentOffsets(p.Sk, p.Nd, rng);
      for (int64_t d = 0; d <= p.Nd; ++d) {
        cq[b * (p.Nd + 1) + d] = double(q[d]);
        ck[b * (p.Nd + 1) + d] = double(k[d]);
      }
    }
  }
  return tensors;
}

std::vector<unsigned char>
launchTensorBytes(const LaunchTensor &t, const std::vector<double> &values) {
  std::vector<unsigned char> bytes(values.size() * 4);
  for (size_t i = 0; i < values.size(); ++i) {
    if (t.dtype == TensorDType::F32) {
      float f = static_cast<float>(values[i]);
      std::memcpy(&bytes[4 * i], &f, 4);
    } else {
      int32_t v = static_cast<int32_t>(values[i]);
      std::memcpy(&bytes[4 * i], &v, 4);
    }
  }
  return bytes;
}

std::vector<TensorArg> launchTensorArgs(const PatternSpec &spec,
                                        const Problem &p,
                                        const std::vector<const void *> &data) {
  std::vector<TensorArg> args;
  std::vector<LaunchTensor> list = launchTensors(spec);
  for (size_t i = 0; i < list.size(); ++i)
    args.push_back({list[i].name, data[i], tensorDTypeName(list[i].dtype),
                    launchTensorExtents(list[i], p)});
  return args;
}

} // namespace sattn::ref
