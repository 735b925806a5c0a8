//===- NumericHarness.h - Run a compiled kernel against the reference -----===//
//
// One numeric check, shared by numeric_cpu_tests and numeric_gpu_tests:
//
//   1. q, k, v: uniform [-1, 1) from a seeded mt19937_64, rounded to the
//      dtype with ref::roundTo (kernel and reference see the same values);
//   2. o: poisoned with NaN, with 64-byte guard bands on both sides that
//      hold a canary pattern (catches writes outside o);
//   3. launch: host buffers on the CPU backend, DeviceBuffer copies on the
//      GPU backend (then synchronize and copy back);
//   4. every output element must be finite; rows that see no key must be
//      exactly 0; the guard bands and the inputs must be unchanged;
//   5. rel L2 against ref::attention (double precision) must be at most the
//      dtype's tolerance (bf16 2e-2, f16 5e-3, f32 1e-4, as sparse-run).
//
// The result carries the error statistics so tests can print and record
// them; NumericLog collects them for the end-of-run summary.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_TEST_NUMERICHARNESS_H
#define SATTN_TEST_NUMERICHARNESS_H

#include "Compiler/Jit.h"
#include "NumericCases.h"
#include "Reference/Reference.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <mutex>
#include <ostream>
#include <optional>
#include <string>
#include <vector>

namespace sattn::test {

/// gtest prints parameters with this (instead of a byte dump).
inline void PrintTo(const NumericCase &c, std::ostream *os) {
  *os << c.name;
}

/// Relative L2 tolerance against the double reference (as sparse-run).
double toleranceFor(DType t);

/// One Jit per backend per process (compiles are cached per spec).
Jit &sharedJit(Backend backend);

struct NumericOptions {
  /// Compare against the reference of this spec instead of the kernel's
  /// own (the deliberately-wrong-reference sanity tests).
  std::optional<PatternSpec> referenceSpec;
  /// Pass a delta workspace of deltaWorkspaceBytes() (poisoned with NaN)
  /// instead of letting the backend allocate one.
  bool callerWorkspace = false;
  /// A block layout's inputs (NumericCase's fields of the same names).
  double layoutDensity = 0.5;
  bool layoutCausal = false;
};

struct NumericReport {
  std::string caseName;
  DType dtype = DType::BF16;
  double tolerance = 0;
  ref::ErrorStats err{0, 0};
  size_t elements = 0;
  size_t nonFinite = 0;      ///< NaN/inf outputs (e.g. unwritten poison).
  size_t emptyRows = 0;      ///< Rows whose mask admits no key.
  size_t emptyRowsNonZero = 0; ///< ... of which some element is not +-0.
  bool guardsIntact = true;  ///< Bytes around o unchanged.
  bool inputsIntact = true;  ///< q, k, v unchanged by the launch.
  double launchMs = 0, referenceMs = 0;
  /// Empty when every check passed; otherwise what failed (all of it).
  std::string failure;

  bool passed() const { return failure.empty(); }
  /// "rel_l2 1.2e-03 max_abs 3.4e-03 (tol 2e-02) ..." for logs.
  std::string summary() const;
};

/// Runs `kernel` (compiled from `spec`) on `shape` with inputs from `seed`
/// and checks it as described above. Never throws on a kernel failure: a
/// launch error or a failed check is reported in `failure`.
NumericReport runNumeric(Kernel &kernel, const PatternSpec &spec,
                         const AttentionShape &shape, uint64_t seed,
                         const NumericOptions &options = {});

/// Compiles the case's spec with `jit` and runs it; compile errors land in
/// `failure` too.
NumericReport runNumericCase(Jit &jit, const NumericCase &c,
                             const NumericOptions &options = {});

/// Results of a test binary, for the summary line.
class NumericLog {
public:
  static NumericLog &instance();
  void add(const NumericReport &r);
  /// "<label> numeric: N passed, M failed, worst rel_l2 X (case)" plus one
  /// line per dtype with its worst relative error (relative to tolerance
  /// and absolute).
  std::string summary(const std::string &label) const;
  size_t failed() const;

private:
  mutable std::mutex mutex_;
  std::vector<NumericReport> reports_;
};

/// Aligned host memory with guard bands (used by the harness and by the
/// API tests).
class HostBuffer {
public:
  static constexpr size_t kGuard = 64;
  static constexpr unsigned char kCanary = 0xA5;
  explicit HostBuffer(size_t bytes);
  ~HostBuffer();
  HostBuffer(const HostBuffer &) = delete;
  HostBuffer &operator=(const HostBuffer &) = delete;
  /// 64-byte aligned payload of `size()` bytes.
  void *data() const { return base_ + kGuard; }
  size_t size() const { return bytes_; }
  /// The whole allocation, guards included.
  unsigned char *raw() const { return base_; }
  size_t rawSize() const { return bytes_ + 2 * kGuard; }
  bool guardsIntact() const;

private:
  unsigned char *base_ = nullptr;
  size_t bytes_ = 0;
};

/// The body of the parameterised MatchesReference tests: runs `c` on the
/// shared Jit of `backend`, logs it, records rel_l2/max_abs and expects it to
/// pass.
void expectMatchesReference(Backend backend, const NumericCase &c);

/// gtest parameter names: the case's name.
std::string caseParamName(const ::testing::TestParamInfo<NumericCase> &info);

/// Runs the named delta cases with a caller-provided (NaN-filled) delta
/// workspace on the shared Jit of `backend` and expects each to pass.
void expectCallerWorkspaceCases(Backend backend,
                                const std::vector<std::string> &names);

} // namespace sattn::test

#endif // SATTN_TEST_NUMERICHARNESS_H
