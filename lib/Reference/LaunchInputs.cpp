//===- LaunchInputs.cpp - Random launch tensors for tests and sparse-run --===//

#include "Reference/LaunchInputs.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace sattn::ref {

std::vector<int64_t> launchTensorExtents(const LaunchTensor &t,
                                         const Problem &p) {
  std::vector<int64_t> extents;
  auto blocks = [](int64_t total, const std::string &d) {
    const int64_t n = std::stoll(d.substr(3));
    return (total + n - 1) / n;
  };
  for (const std::string &d : t.shape)
    extents.push_back(d == "B"                 ? p.B
                      : d == "H"               ? p.H
                      : d == "Hkv"             ? p.Hkv
                      : d == "Sq"              ? p.Sq
                      : d == "Nd+1"            ? p.Nd + 1
                      : d == "LB"              ? p.LB
                      : d == "LH"              ? p.LH
                      : d.rfind("Sq/", 0) == 0 ? blocks(p.Sq, d)
                      : d.rfind("Sk/", 0) == 0 ? blocks(p.Sk, d)
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

void fillBlockLayout(const MaskExpr &layout, const Problem &p,
                     std::mt19937_64 &rng,
                     const std::function<BlockVerdict(int64_t, int64_t, int64_t,
                                                      int64_t)> &verdict,
                     Tensors &tensors) {
  const int64_t mb = (p.Sq + layout.blockRows - 1) / layout.blockRows;
  const int64_t nb = (p.Sk + layout.blockCols - 1) / layout.blockCols;
  const auto rows = static_cast<size_t>(p.LB * p.LH * mb);
  std::vector<double> &partialCount = tensors["kv_num_blocks"];
  std::vector<double> &partialIndex = tensors["kv_indices"];
  std::vector<double> &fullCount = tensors["full_kv_num_blocks"];
  std::vector<double> &fullIndex = tensors["full_kv_indices"];
  partialCount.assign(rows, 0.0);
  fullCount.assign(rows, 0.0);
  partialIndex.assign(rows * size_t(nb), -1.0);
  fullIndex.assign(rows * size_t(nb), -1.0);
  for (int64_t lb = 0; lb < p.LB; ++lb)
    for (int64_t lh = 0; lh < p.LH; ++lh)
      for (int64_t r = 0; r < mb; ++r) {
        const int64_t row = (lb * p.LH + lh) * mb + r;
        std::vector<int64_t> partial, full;
        for (int64_t c = 0; c < nb; ++c) {
          BlockVerdict v = verdict(lb, lh, r, c);
          if (v == BlockVerdict::Partial)
            partial.push_back(c);
          else if (v == BlockVerdict::Full)
            full.push_back(c);
        }
        std::shuffle(partial.begin(), partial.end(), rng);
        std::shuffle(full.begin(), full.end(), rng);
        partialCount[row] = double(partial.size());
        fullCount[row] = double(full.size());
        for (size_t e = 0; e < partial.size(); ++e)
          partialIndex[row * nb + e] = double(partial[e]);
        for (size_t e = 0; e < full.size(); ++e)
          fullIndex[row * nb + e] = double(full[e]);
      }
}

namespace {
/// Where query block r and key block c of `layout` lie against the causal
/// region j <= i + (Sk - Sq): outside it, across its edge, or inside.
BlockVerdict causalPlace(const MaskExpr &layout, const Problem &p, int64_t r,
                         int64_t c) {
  const int64_t shift = p.Sk - p.Sq;
  const int64_t firstQ = r * layout.blockRows;
  const int64_t lastQ = std::min(firstQ + layout.blockRows, p.Sq) - 1;
  const int64_t firstK = c * layout.blockCols;
  const int64_t lastK = std::min(firstK + layout.blockCols, p.Sk) - 1;
  if (firstK > lastQ + shift)
    return BlockVerdict::Empty;
  return lastK <= firstQ + shift ? BlockVerdict::Full : BlockVerdict::Partial;
}
} // namespace

void randomBlockLayout(const MaskExpr &layout, const Problem &p, double density,
                       bool causal, std::mt19937_64 &rng, Tensors &tensors) {
  std::bernoulli_distribution keep(density), coin(0.5);
  fillBlockLayout(
      layout, p, rng,
      [&](int64_t, int64_t, int64_t r, int64_t c) {
        if (!causal)
          return !keep(rng)  ? BlockVerdict::Empty
                 : coin(rng) ? BlockVerdict::Full
                             : BlockVerdict::Partial;
        BlockVerdict place = causalPlace(layout, p, r, c);
        return place == BlockVerdict::Empty || !keep(rng) ? BlockVerdict::Empty
                                                          : place;
      },
      tensors);
}

void aShapeVerticalSlashLayout(const MaskExpr &layout, const Problem &p,
                               int64_t sinkBlocks, int64_t localBlocks,
                               int64_t verticals, int64_t slashes,
                               std::mt19937_64 &rng, Tensors &tensors) {
  const int64_t nb = (p.Sk + layout.blockCols - 1) / layout.blockCols;
  std::uniform_int_distribution<int64_t> column(0,
                                                std::max<int64_t>(nb - 1, 0));
  std::vector<int64_t> vertical, slash;
  for (int64_t n = 0; n < verticals; ++n)
    vertical.push_back(column(rng));
  for (int64_t n = 0; n < slashes; ++n)
    slash.push_back(column(rng));
  fillBlockLayout(
      layout, p, rng,
      [&](int64_t, int64_t, int64_t r, int64_t c) {
        BlockVerdict place = causalPlace(layout, p, r, c);
        if (place == BlockVerdict::Empty)
          return place;
        // The diagonal's key block for this query block's last row.
        const int64_t lastQ =
            std::min((r + 1) * layout.blockRows, p.Sq) - 1 + (p.Sk - p.Sq);
        const int64_t diagonal = lastQ / layout.blockCols;
        bool kept = c < sinkBlocks || diagonal - c < localBlocks;
        for (int64_t v : vertical)
          kept = kept || c == v;
        for (int64_t s : slash)
          kept = kept || diagonal - c == s;
        return kept ? place : BlockVerdict::Empty;
      },
      tensors);
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
  if (const MaskExpr *layout = blockLayoutOf(spec))
    randomBlockLayout(*layout, p, 0.5, /*causal=*/false, rng, tensors);
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
