//===- Attention.cpp - Naive attention with the full pattern semantics ----===//
//
// Per (batch, head) and query row: evaluate the mask for every key, score the
// allowed keys, softmax them (max subtracted, in double) and weight the
// values. The delta correction is then applied exactly as
// shared/notes/methods.md section 1 defines it.
//
//===----------------------------------------------------------------------===//

#include "Reference/LaunchInputs.h"
#include "Reference/Reference.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

namespace sattn::ref {
namespace {

void checkProblem(const Problem &p, const std::vector<double> &q,
                  const std::vector<double> &k, const std::vector<double> &v) {
  if (p.B < 1 || p.H < 1 || p.Hkv < 1 || p.D < 1 || p.Sq < 0 || p.Sk < 0)
    throw std::invalid_argument("ref::attention: B, H, Hkv, D must be >= 1 and Sq, Sk >= 0");
  if (p.H % p.Hkv != 0)
    throw std::invalid_argument("ref::attention: H (" + std::to_string(p.H) +
                                ") is not a multiple of Hkv (" + std::to_string(p.Hkv) + ")");
  auto expect = [](const char *name, size_t got, int64_t want) {
    if (got != static_cast<size_t>(want))
      throw std::invalid_argument(std::string("ref::attention: ") + name + " has " +
                                  std::to_string(got) + " elements, expected " +
                                  std::to_string(want));
  };
  expect("q", q.size(), p.B * p.H * p.Sq * p.D);
  expect("k", k.size(), p.B * p.Hkv * p.Sk * p.D);
  expect("v", v.size(), p.B * p.Hkv * p.Sk * p.D);
}

/// The launch tensor `name` of `spec`, checked against its shape; null when
/// the pattern does not read it.
const std::vector<double> *launchTensor(const PatternSpec &spec,
                                        const Problem &p,
                                        const Tensors &tensors,
                                        const std::string &name) {
  for (const LaunchTensor &t : launchTensors(spec)) {
    if (t.name != name)
      continue;
    auto it = tensors.find(name);
    if (it == tensors.end())
      throw std::invalid_argument("ref::attention: '" + spec.name +
                                  "' reads tensor '" + name +
                                  "', which is missing");
    int64_t elements = 1;
    for (int64_t extent : launchTensorExtents(t, p))
      elements *= extent;
    if (it->second.size() != static_cast<size_t>(elements))
      throw std::invalid_argument("ref::attention: tensor '" + name + "' has " +
                                  std::to_string(it->second.size()) +
                                  " elements, expected " +
                                  std::to_string(elements));
    return &it->second;
  }
  return nullptr;
}

/// The documents of batch row b as [start, end) pairs of query and key
/// rows; one document over everything without a "documents" mask.
struct Document {
  int64_t qBegin, qEnd, kBegin, kEnd;
};
std::vector<Document> documentsOf(const PatternSpec &spec, const Problem &p,
                                  const Tensors &tensors, int64_t b) {
  const std::vector<double> *cq =
      launchTensor(spec, p, tensors, "cu_seqlens_q");
  const std::vector<double> *ck =
      launchTensor(spec, p, tensors, "cu_seqlens_k");
  if (!cq || !ck)
    return {{0, p.Sq, 0, p.Sk}};
  auto offsets = [&](const std::vector<double> &cu, const char *name,
                     int64_t total) {
    std::vector<int64_t> row(static_cast<size_t>(p.Nd + 1));
    for (int64_t d = 0; d <= p.Nd; ++d)
      row[d] = static_cast<int64_t>(cu[b * (p.Nd + 1) + d]);
    bool ok = row.front() == 0 && row.back() == total;
    for (int64_t d = 0; d < p.Nd; ++d)
      ok = ok && row[d] <= row[d + 1];
    if (!ok)
      throw std::invalid_argument(
          std::string("ref::attention: tensor '") + name + "' row " +
          std::to_string(b) + " must go from 0 to " + std::to_string(total) +
          " without decreasing");
    return row;
  };
  std::vector<int64_t> q = offsets(*cq, "cu_seqlens_q", p.Sq);
  std::vector<int64_t> k = offsets(*ck, "cu_seqlens_k", p.Sk);
  std::vector<Document> docs;
  for (int64_t d = 0; d < p.Nd; ++d)
    docs.push_back({q[d], q[d + 1], k[d], k[d + 1]});
  return docs;
}

/// A block layout's verdict on every (query block, key block) of one
/// (layout batch row, layout head), from the raw tensors: 0 not listed,
/// 1 partial, 2 full.
class BlockLayout {
public:
  BlockLayout(const PatternSpec &spec, const Problem &p, const Tensors &tensors,
              const MaskExpr &layout)
      : mb_((p.Sq + layout.blockRows - 1) / layout.blockRows),
        nb_((p.Sk + layout.blockCols - 1) / layout.blockCols),
        rows_(layout.blockRows), cols_(layout.blockCols) {
    verdict_.assign(static_cast<size_t>(p.LB * p.LH * mb_ * nb_), 0);
    for (int full = 0; full < 2; ++full) {
      const std::string prefix = full ? "full_" : "";
      const std::vector<double> &counts =
          *launchTensor(spec, p, tensors, prefix + "kv_num_blocks");
      const std::vector<double> &indices =
          *launchTensor(spec, p, tensors, prefix + "kv_indices");
      for (int64_t row = 0; row < p.LB * p.LH * mb_; ++row) {
        const auto n = static_cast<int64_t>(counts[row]);
        if (n < 0 || n > nb_)
          throw std::invalid_argument(
              "ref::attention: " + prefix + "kv_num_blocks[" +
              std::to_string(row) + "] = " + std::to_string(n) +
              " is outside [0, " + std::to_string(nb_) + "]");
        for (int64_t e = 0; e < n; ++e) {
          const auto c = static_cast<int64_t>(indices[row * nb_ + e]);
          if (c < 0 || c >= nb_)
            throw std::invalid_argument(
                "ref::attention: " + prefix + "kv_indices entry " +
                std::to_string(e) + " of query block row " +
                std::to_string(row) + " = " + std::to_string(c) +
                " is outside [0, " + std::to_string(nb_) + ")");
          unsigned char &v = verdict_[row * nb_ + c];
          if (v != 0)
            throw std::invalid_argument(
                "ref::attention: key block " + std::to_string(c) +
                " is listed twice for query block row " + std::to_string(row));
          v = full ? 2 : 1;
        }
      }
    }
  }

  /// The verdict for query i and key j of (layout batch row lb, head lh).
  int at(const Problem &p, int64_t lb, int64_t lh, int64_t i, int64_t j) const {
    const int64_t row = (lb * p.LH + lh) * mb_ + i / rows_;
    return verdict_[row * nb_ + j / cols_];
  }

private:
  int64_t mb_, nb_, rows_, cols_;
  std::vector<unsigned char> verdict_;
};

/// One output row: softmax over the keys `allows(i, j)` admits of
/// s_j = scale * <q_i, k_j> (softcapped), times the values. With a sink
/// logit z the denominator gains exp(z) (no value joins it); ALiBi adds
/// alibiSlope * (j - iKey) to each score after the softcap (iKey: the row's
/// position in key coordinates, i'). A row that admits no key is all zeros.
template <typename Allows>
void attendRow(const PatternSpec &spec, const Problem &p, const double *qRow,
               const double *kHead, const double *vHead, int64_t i,
               int64_t iKey, Allows allows, double alibiSlope,
               const double *sinkLogit, double *out) {
  const double scale = spec.effectiveScale();
  std::vector<double> score(p.Sk);
  std::vector<bool> allowed(p.Sk, false);
  double maxScore = -std::numeric_limits<double>::infinity();
  bool any = false;
  for (int64_t j = 0; j < p.Sk; ++j) {
    if (!allows(i, j))
      continue;
    double dot = 0;
    for (int64_t d = 0; d < p.D; ++d)
      dot += qRow[d] * kHead[j * p.D + d];
    double s = scale * dot;
    if (spec.softcap)
      s = *spec.softcap * std::tanh(s / *spec.softcap);
    s += alibiSlope * double(j - iKey);
    score[j] = s;
    allowed[j] = true;
    maxScore = std::max(maxScore, s);
    any = true;
  }
  std::fill(out, out + p.D, 0.0);
  if (!any)
    return;
  // Shift by the largest of the scores and the sink logit, so that neither
  // exponent overflows.
  double sum = 0;
  if (sinkLogit) {
    maxScore = std::max(maxScore, *sinkLogit);
    sum = std::exp(*sinkLogit - maxScore);
  }
  for (int64_t j = 0; j < p.Sk; ++j) {
    if (!allowed[j])
      continue;
    double w = std::exp(score[j] - maxScore);
    sum += w;
    for (int64_t d = 0; d < p.D; ++d)
      out[d] += w * vHead[j * p.D + d];
  }
  for (int64_t d = 0; d < p.D; ++d)
    out[d] /= sum;
}

} // namespace

std::vector<double> attention(const PatternSpec &spec, const Problem &p,
                              const std::vector<double> &q,
                              const std::vector<double> &k,
                              const std::vector<double> &v,
                              const Tensors &tensors) {
  checkProblem(p, q, k, v);
  const std::vector<double> *sinks = launchTensor(spec, p, tensors, "sinks");
  const std::vector<double> *slopes =
      launchTensor(spec, p, tensors, "alibi_slopes");
  const int64_t D = p.D, Sq = p.Sq, Sk = p.Sk;
  std::vector<double> o(static_cast<size_t>(p.B * p.H * Sq * D), 0.0);

  // The pattern inside each document (no mask = every key of it), in the
  // document's bottom-right aligned coordinates.
  const std::optional<MaskExpr> within = maskWithinDocuments(spec);
  const Document *doc = nullptr; // the current row's
  // A block layout (never with documents): listed blocks, the partial
  // ones under their own mask, intersected with the rest of the mask.
  const MaskExpr *layoutNode = blockLayoutOf(spec);
  if (layoutNode && (p.LB != 1 && p.LB != p.B || p.LH != 1 && p.LH != p.H))
    throw std::invalid_argument("ref::attention: a block layout's LB must be "
                                "1 or B and its LH 1 or H");
  std::optional<BlockLayout> layout;
  if (layoutNode)
    layout.emplace(spec, p, tensors, *layoutNode);
  const std::optional<MaskExpr> besidesLayout = maskBesidesLayout(spec);
  int64_t layoutB = 0, layoutH = 0; // the current head's layout
  auto sparse = [&](int64_t i, int64_t j) {
    if (layout) {
      const int verdict = layout->at(p, layoutB, layoutH, i, j);
      if (verdict == 0 || (verdict == 1 && !layoutNode->children.empty() &&
                           !maskAllows(layoutNode->children[0], i, j, Sq, Sk)))
        return false;
      return !besidesLayout || maskAllows(*besidesLayout, i, j, Sq, Sk);
    }
    if (j < doc->kBegin || j >= doc->kEnd)
      return false;
    return !within ||
           maskAllows(*within, i - doc->qBegin, j - doc->kBegin,
                      doc->qEnd - doc->qBegin, doc->kEnd - doc->kBegin);
  };
  // The delta correction's reference ("dense" rows): causal unless the
  // spec names every key or a mask of its own.
  auto referenceAllows = [&](int64_t i, int64_t j) {
    if (spec.delta && spec.delta->denseReference)
      return true;
    if (spec.delta && spec.delta->reference)
      return maskAllows(*spec.delta->reference, i, j, Sq, Sk);
    return j <= i + (Sk - Sq);
  };

  for (int64_t b = 0; b < p.B; ++b) {
    const std::vector<Document> docs = documentsOf(spec, p, tensors, b);
    // Row i's document, and its position in key coordinates.
    auto docOf = [&](int64_t i) {
      for (const Document &d : docs)
        if (d.qBegin <= i && i < d.qEnd)
          return &d;
      return &docs.front(); // unreachable: the documents cover [0, Sq)
    };
    auto keyPosition = [&](int64_t i) {
      const Document *d = docOf(i);
      return i + (d->kEnd - d->qEnd);
    };
    for (int64_t h = 0; h < p.H; ++h) {
      const int64_t hkv = h / (p.H / p.Hkv);
      layoutB = p.LB == 1 ? 0 : b;
      layoutH = p.LH == 1 ? 0 : h;
      const double *qHead = q.data() + (b * p.H + h) * Sq * D;
      const double *kHead = k.data() + (b * p.Hkv + hkv) * Sk * D;
      const double *vHead = v.data() + (b * p.Hkv + hkv) * Sk * D;
      double *oHead = o.data() + (b * p.H + h) * Sq * D;
      const double *sink = sinks ? &(*sinks)[h] : nullptr;
      const double slope = !spec.alibi ? 0.0
                           : slopes    ? (*slopes)[h]
                                       : alibiGeometricSlope(h, p.H);

      // Step 1: O_sp, every row under the pattern.
      std::vector<double> oSp(static_cast<size_t>(Sq * D));
      for (int64_t i = 0; i < Sq; ++i) {
        doc = docOf(i);
        attendRow(spec, p, qHead + i * D, kHead, vHead, i, keyPosition(i),
                  sparse, slope, sink, &oSp[i * D]);
      }
      if (!spec.delta) {
        std::copy(oSp.begin(), oSp.end(), oHead);
        continue;
      }

      // Step 2: the tail and the anchors.
      const int64_t gamma = spec.delta->gamma;
      const int64_t cut = Sq % gamma + std::max(spec.delta->tailMin, gamma);
      const int64_t sp = Sq - cut; // <= 0: every row is tail.

      // Steps 3 and 4, row by row in order, so the latest anchor's dense
      // output is at hand when the rows after it need it.
      std::vector<double> oDnAnchor(static_cast<size_t>(D));
      for (int64_t i = 0; i < Sq; ++i) {
        double *out = oHead + i * D;
        doc = docOf(i);
        if (i >= sp) {
          attendRow(spec, p, qHead + i * D, kHead, vHead, i, keyPosition(i),
                    referenceAllows, slope, sink, out);
          continue;
        }
        const int64_t a = gamma * (i / gamma);
        if (i == a) {
          attendRow(spec, p, qHead + i * D, kHead, vHead, i, keyPosition(i),
                    referenceAllows, slope, sink, oDnAnchor.data());
          // O_sp_a + (O_dn_a - O_sp_a) is O_dn_a; write it exactly rather
          // than through a rounding add-subtract, so anchors are dense bit
          // for bit.
          std::copy(oDnAnchor.begin(), oDnAnchor.end(), out);
          continue;
        }
        for (int64_t d = 0; d < D; ++d)
          out[d] = oSp[i * D + d] + (oDnAnchor[d] - oSp[a * D + d]);
      }
    }
  }
  return o;
}

} // namespace sattn::ref
