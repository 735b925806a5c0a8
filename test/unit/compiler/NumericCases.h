//===- NumericCases.h - The numeric case table, shared by CPU and GPU -----===//
//
// One table of (pattern spec, launch shape, seed) cases that both
// numeric_cpu_tests and numeric_gpu_tests run through the harness
// (NumericHarness.h). The table covers every feature of the spec format:
// dense, causal, window, sink, union, intersect (incl. the headline
// causal & (window | sink)), scale, softcap and the delta correction, in
// bf16/f16/f32 and head_dim 64/128, on shapes chosen to hit the tiling edge
// cases (S not a multiple of block_m 64 / block_n 32|64, S below one tile,
// Sq = 1, Sq < Sk, Sq > Sk with key-less rows, GQA, batch > 1, windows and
// sinks longer than S, gamma larger than S, ...).
//
// Shapes are kept small (S <= 700, B*H <= 16) so the double-precision
// reference (O(B*H*Sq*Sk*D)) keeps the whole suite well under a minute of
// CPU time per backend.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_TEST_NUMERICCASES_H
#define SATTN_TEST_NUMERICCASES_H

#include "Spec/PatternSpec.h"
#include "sattn/Manifest.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sattn::test {

struct NumericCase {
  /// Unique, [A-Za-z0-9_] only (it is the gtest parameter name).
  std::string name;
  PatternSpec spec;
  AttentionShape shape;
  /// Seed of the random q/k/v; derived from the name, so each case has its
  /// own and reordering the table changes nothing.
  uint64_t seed = 0;
  /// What the case is about (printed on failure).
  std::string why;
  /// A block layout's inputs (patterns with a "block_layout" mask): its
  /// blocks, kept with probability `layoutDensity`, each full or partial at
  /// random; or only blocks that meet the causal region, full where wholly
  /// inside it (`layoutCausal`). shape.LB / shape.LH (0: 1) say whether
  /// each batch row / head has its own.
  double layoutDensity = 0.5;
  bool layoutCausal = false;
  /// Non-empty: a known compiler bug makes this case fail. Such cases are
  /// instantiated under the DISABLED_KnownBugs prefix (run them with
  /// --gtest_also_run_disabled_tests); this says what the bug is.
  std::string knownBug;
};

/// The table (built once).
const std::vector<NumericCase> &numericCases();
/// The cases without / with a known bug.
std::vector<NumericCase> passingCases();
std::vector<NumericCase> knownBugCases();

/// 64-bit FNV-1a of a string (seeds).
uint64_t fnv1a64(const std::string &s);

} // namespace sattn::test

#endif // SATTN_TEST_NUMERICCASES_H
