//===- GpuTest.cpp - Memory, launch and timing on a real device -----------===//
//
// Exits 77 (ctest: skipped) where no device is found. The kernel is
// fake_attention.ptx.in: it has the attention ABI, so it goes through the
// same manifest, plan and cuLaunchKernel path as a compiled pattern.
//
//===----------------------------------------------------------------------===//
#include "TestSupport.h"

#include "CudaDriver.h"
#include "sattn/Runtime.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <numeric>

using namespace sattn;

namespace {

TEST(GpuTest, DeviceBufferRoundTrip) {
  std::vector<uint32_t> host(1 << 18);
  std::iota(host.begin(), host.end(), 7u);
  size_t bytes = host.size() * sizeof(uint32_t);
  Result<rt::DeviceBuffer> buffer = rt::DeviceBuffer::allocate(bytes);
  ASSERT_TRUE(buffer) << buffer.status().message();
  ASSERT_TRUE(buffer->copyFromHost(host.data(), bytes));
  std::vector<uint32_t> back(host.size());
  ASSERT_TRUE(buffer->copyToHost(back.data(), bytes));
  EXPECT_EQ(back, host);
  EXPECT_EQ(buffer->copyFromHost(host.data(), bytes + 1).kind(),
            ErrorKind::InvalidArgument);

  rt::DeviceBuffer moved = buffer.take();
  EXPECT_EQ(moved.size(), bytes);
  EXPECT_NE(moved.get(), nullptr);
}

using MakeManifest =
    std::function<Manifest(const std::string &arch, const std::string &cubin)>;

/// Loads the fake kernels for an architecture this device runs, described
/// by the manifest `make` builds.
Result<std::shared_ptr<rt::Module>>
loadFake(const MakeManifest &make = test::fakeAttentionManifest) {
  Result<int> cc = rt::deviceComputeCapability();
  if (!cc)
    return cc.status();
  for (const char *arch : {"sm_90a", "sm_90", "sm_80"}) {
    if (!test::haveCubins() || !rt::chipRunsOn(arch, *cc))
      continue;
    std::string cubin = test::readBytes(test::cubinPath(arch));
    return rt::Module::loadFromMemory(make(arch, cubin), cubin,
                                      test::cubinPath(arch));
  }
  return Status::error(ErrorKind::Unavailable,
                       "no test cubin runs on compute capability " +
                           std::to_string(*cc));
}

#define SKIP_IF_UNAVAILABLE(module)                                            \
  if (!(module) && (module).status().kind() == ErrorKind::Unavailable)         \
  GTEST_SKIP() << (module).status().message()

AttentionShape makeShape(int64_t B, int64_t H, int64_t Hkv, int64_t Sq) {
  AttentionShape s;
  s.B = B;
  s.H = H;
  s.Hkv = Hkv;
  s.Sq = Sq;
  s.Sk = Sq;
  s.D = 64;
  return s;
}

TEST(GpuTest, LaunchesThroughThePlan) {
  Result<std::shared_ptr<rt::Module>> module = loadFake();
  SKIP_IF_UNAVAILABLE(module);
  ASSERT_TRUE(module) << module.status().message();

  // Sq is not a multiple of block_m: the last block is partial.
  AttentionShape shape = makeShape(2, 4, 2, 100);
  size_t elems = size_t(shape.B * shape.H * shape.Sq * shape.D);
  std::vector<float> q(elems);
  std::iota(q.begin(), q.end(), 0.0f);
  Result<rt::DeviceBuffer> dq = rt::DeviceBuffer::allocate(elems * 4);
  Result<rt::DeviceBuffer> dkv = rt::DeviceBuffer::allocate(elems * 4);
  Result<rt::DeviceBuffer> dout = rt::DeviceBuffer::allocate(elems * 4);
  ASSERT_TRUE(dq && dkv && dout);
  ASSERT_TRUE(dq->copyFromHost(q.data(), elems * 4));
  std::vector<float> zeros(elems, 0.0f);
  ASSERT_TRUE(dout->copyFromHost(zeros.data(), elems * 4));

  LaunchBuffers bufs;
  bufs.q = dq->get();
  bufs.k = dkv->get();
  bufs.v = dkv->get();
  bufs.o = dout->get();
  Status launched = (*module)->launch(shape, bufs);
  ASSERT_TRUE(launched) << launched.message();
  ASSERT_TRUE(rt::Module::synchronize());

  std::vector<float> out(elems);
  ASSERT_TRUE(dout->copyToHost(out.data(), elems * 4));
  // The kernel writes o[bh * Sq + row] = q[bh * Sq + row] + Hkv.
  size_t rows = size_t(shape.B * shape.H * shape.Sq);
  for (size_t i = 0; i < rows; ++i)
    ASSERT_EQ(out[i], q[i] + float(shape.Hkv)) << "row " << i;
  EXPECT_EQ(out[rows], 0.0f);

  LaunchBuffers noQ = bufs;
  noQ.q = nullptr;
  EXPECT_EQ((*module)->launch(shape, noQ).kind(), ErrorKind::InvalidArgument);

  Result<double> ms =
      rt::timeMedianMs([&] { return (*module)->launch(shape, bufs); }, 2, 5);
  ASSERT_TRUE(ms) << ms.status().message();
  EXPECT_GT(*ms, 0.0);
  EXPECT_TRUE(std::isfinite(*ms));
}

/// A host pointer where device memory is expected is refused before any
/// kernel runs, and the context stays usable: the same module launches
/// with device memory and synchronizes afterwards.
TEST(GpuTest, HostPointerIsRefusedAndTheContextSurvives) {
  Result<std::shared_ptr<rt::Module>> module = loadFake();
  SKIP_IF_UNAVAILABLE(module);
  ASSERT_TRUE(module) << module.status().message();
  AttentionShape shape = makeShape(1, 2, 1, 64);
  size_t elems = size_t(shape.B * shape.H * shape.Sq * shape.D);
  Result<rt::DeviceBuffer> dev = rt::DeviceBuffer::allocate(elems * 4);
  Result<rt::DeviceBuffer> out = rt::DeviceBuffer::allocate(elems * 4);
  ASSERT_TRUE(dev && out);
  std::vector<float> host(elems, 1.0f);
  LaunchBuffers good;
  good.q = good.k = good.v = dev->get();
  good.o = out->get();
  for (const char *tensor : {"q", "k", "v", "o"}) {
    LaunchBuffers bad = good;
    const std::string t = tensor;
    if (t == "q")
      bad.q = host.data();
    else if (t == "k")
      bad.k = host.data();
    else if (t == "v")
      bad.v = host.data();
    else
      bad.o = host.data();
    Status s = (*module)->launch(shape, bad);
    ASSERT_FALSE(s) << tensor;
    EXPECT_EQ(s.kind(), ErrorKind::InvalidArgument);
    EXPECT_NE(s.message().find("tensor '" + t + "'"), std::string::npos)
        << s.message();
  }
  Status launched = (*module)->launch(shape, good);
  EXPECT_TRUE(launched) << launched.message();
  Status synced = rt::Module::synchronize();
  EXPECT_TRUE(synced) << synced.message();
}

/// A launch tensor in host memory is refused by name like q, k, v and o.
/// (The fake kernel takes no such parameter: nothing may launch.)
TEST(GpuTest, HostPointerOfALaunchTensorIsRefused) {
  Result<std::shared_ptr<rt::Module>> module =
      loadFake([](const std::string &arch, const std::string &cubin) {
        return test::withSinks(test::fakeAttentionManifest(arch, cubin));
      });
  SKIP_IF_UNAVAILABLE(module);
  ASSERT_TRUE(module) << module.status().message();
  AttentionShape shape = makeShape(1, 2, 1, 64);
  size_t elems = size_t(shape.B * shape.H * shape.Sq * shape.D);
  Result<rt::DeviceBuffer> dev = rt::DeviceBuffer::allocate(elems * 4);
  ASSERT_TRUE(dev);
  std::vector<float> hostLogits(2, 0.5f);
  LaunchBuffers bufs;
  bufs.q = bufs.k = bufs.v = dev->get();
  bufs.o = dev->get();
  bufs.tensors = {{"sinks", hostLogits.data(), "f32", {2}}};
  Status s = (*module)->launch(shape, bufs);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.kind(), ErrorKind::InvalidArgument);
  EXPECT_NE(s.message().find("tensor 'sinks'"), std::string::npos)
      << s.message();
}

/// What the pointer checks cost per launch (four tensors), printed for the
/// record; the bound only catches a check gone badly wrong (a synchronizing
/// call, say), not a regression of a few percent.
TEST(GpuTest, PointerCheckCostPerLaunch) {
  Result<const rt::detail::Driver *> driver = rt::detail::currentDriver();
  if (!driver)
    GTEST_SKIP() << driver.status().message();
  std::vector<rt::DeviceBuffer> buffers;
  for (int i = 0; i < 4; ++i) {
    Result<rt::DeviceBuffer> b = rt::DeviceBuffer::allocate(1 << 20);
    ASSERT_TRUE(b) << b.status().message();
    buffers.push_back(b.take());
  }
  std::vector<rt::detail::TensorPointer> tensors = {
      {"q", buffers[0].get()},
      {"k", buffers[1].get()},
      {"v", buffers[2].get()},
      {"o", static_cast<char *>(buffers[3].get()) + 4096}};
  constexpr int kLaunches = 100000;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kLaunches; ++i)
    ASSERT_TRUE(rt::detail::checkDevicePointers(**driver, tensors));
  double us = std::chrono::duration<double, std::micro>(
                  std::chrono::steady_clock::now() - t0)
                  .count() /
              kLaunches;
  std::printf("pointer checks: %.3f us per launch (4 tensors, %d launches)\n",
              us, kLaunches);
  EXPECT_LT(us, 50.0);
}

TEST(GpuTest, OptsInToLargeSharedMemory) {
  // Beyond 48 KiB the launch fails unless the module raised the limit.
  Result<std::shared_ptr<rt::Module>> module =
      loadFake([](const std::string &arch, const std::string &cubin) {
        Manifest m = test::fakeAttentionManifest(arch, cubin);
        m.kernels[0].sharedMemBytes = 100 * 1024;
        return m;
      });
  SKIP_IF_UNAVAILABLE(module);
  ASSERT_TRUE(module) << module.status().message();
  Result<rt::DeviceBuffer> buf = rt::DeviceBuffer::allocate(64 * 64 * 4);
  ASSERT_TRUE(buf);
  LaunchBuffers bufs;
  bufs.q = bufs.k = bufs.v = bufs.o = buf->get();
  Status s = (*module)->launch(makeShape(1, 1, 1, 64), bufs);
  EXPECT_TRUE(s) << s.message();
  EXPECT_TRUE(rt::Module::synchronize());

  Result<std::shared_ptr<rt::Module>> tooBig =
      loadFake([](const std::string &arch, const std::string &cubin) {
        Manifest m = test::fakeAttentionManifest(arch, cubin);
        m.kernels[0].sharedMemBytes = 1 << 30;
        return m;
      });
  ASSERT_FALSE(tooBig);
  EXPECT_NE(tooBig.status().message().find(
                "kernel 'fake_attention' needs 1073741824 bytes of shared "
                "memory per block"),
            std::string::npos)
      << tooBig.status().message();
}

/// fake_delta in both delta roles (anchor block_m 32, main block_m 64).
Manifest fakeDeltaManifest(const std::string &arch, const std::string &cubin) {
  Manifest m = test::fakeAttentionManifest(arch, cubin);
  m.hasDelta = true;
  m.deltaGamma = 64;
  m.deltaTailMin = 100;
  m.kernels = {test::kernel("fake_delta", KernelRole::DeltaAnchor, true),
               test::kernel("fake_delta", KernelRole::DeltaMain, true)};
  m.kernels[0].blockM = 32;
  m.kernels[0].threads = 32;
  for (KernelInfo &k : m.kernels)
    k.sharedMemBytes = 0;
  return m;
}

TEST(GpuTest, DeltaLaunchesBothKernelsWithAWorkspace) {
  Result<std::shared_ptr<rt::Module>> module = loadFake(fakeDeltaManifest);
  SKIP_IF_UNAVAILABLE(module);
  ASSERT_TRUE(module) << module.status().message();
  // The second, larger shape grows the runtime's own workspace.
  for (int64_t Sq : {1000, 3000}) {
    AttentionShape shape = makeShape(1, 2, 1, Sq);
    size_t rows = size_t(shape.H * Sq);
    Result<rt::DeviceBuffer> q = rt::DeviceBuffer::allocate(rows * 64 * 4);
    Result<rt::DeviceBuffer> o = rt::DeviceBuffer::allocate(rows * 4);
    ASSERT_TRUE(q && o);
    std::vector<float> host(rows, 0.0f);
    ASSERT_TRUE(o->copyFromHost(host.data(), rows * 4));
    LaunchBuffers bufs;
    bufs.q = bufs.k = bufs.v = q->get();
    bufs.o = o->get();
    Status s = (*module)->launch(shape, bufs);
    ASSERT_TRUE(s) << s.message();
    ASSERT_TRUE(rt::Module::synchronize());
    ASSERT_TRUE(o->copyToHost(host.data(), rows * 4));

    // Each kernel adds 1 to the rows its grid covers (100 would mean a null
    // workspace pointer).
    bufs.deltaWorkspace = bufs.o;
    Result<std::vector<PlannedLaunch>> plan =
        planLaunches((*module)->manifest(), shape, bufs);
    ASSERT_TRUE(plan);
    ASSERT_EQ(plan->size(), 2u);
    for (size_t bh = 0; bh < size_t(shape.H); ++bh)
      for (int64_t row = 0; row < Sq; ++row) {
        float expected = 0;
        for (const PlannedLaunch &l : *plan)
          expected += row < l.gridX * l.blockX ? 1.0f : 0.0f;
        ASSERT_EQ(host[bh * Sq + row], expected)
            << "Sq " << Sq << " bh " << bh << " row " << row;
      }
  }
}

/// fake_tma (see fake_tma.ptx): the attention ABI plus k_map, box [64, 64].
Manifest fakeTmaManifest(const std::string &dtype, const std::string &cubin) {
  Manifest m = test::fakeAttentionManifest("sm_90a", cubin);
  m.name = "fake_tma";
  m.dtype = dtype;
  m.headDim = 128;
  m.kernels = {test::kernel("fake_tma", KernelRole::Attention, false)};
  m.kernels[0].params.push_back(test::tensorMapParam("k_map", "k", 64, 64));
  m.kernels[0].sharedMemBytes = 0;
  m.kernels[0].threads = 128;
  return m;
}

TEST(GpuTest, EncodesAndPassesTensorMaps) {
  Result<int> cc = rt::deviceComputeCapability();
  ASSERT_TRUE(cc) << cc.status().message();
  if (!rt::chipRunsOn("sm_90a", *cc))
    GTEST_SKIP() << "tensor maps need sm_90a, the device is compute "
                    "capability "
                 << *cc;
  SATTN_REQUIRE_CUBINS();
  std::string cubin = test::readBytes(test::tmaCubinPath());
  // The element type only changes the encoding (FLOAT16 or BFLOAT16, both
  // 2 bytes); the kernel copies bits.
  for (const char *dtype : {"bf16", "f16"}) {
    SCOPED_TRACE(dtype);
    Result<std::shared_ptr<rt::Module>> module = rt::Module::loadFromMemory(
        fakeTmaManifest(dtype, cubin), cubin, test::tmaCubinPath());
    ASSERT_TRUE(module) << module.status().message();

    // Sk = 200 is not a multiple of the box's 64 rows: the last box of each
    // head reads 56 rows past the end, which must come back as zeros (and
    // not as the next head's rows).
    AttentionShape shape;
    shape.B = 2;
    shape.H = shape.Hkv = 3;
    shape.Sq = shape.Sk = 200;
    shape.D = 128;
    const int64_t heads = shape.B * shape.Hkv, tiles = 4; // ceil(200 / 64)
    std::vector<uint16_t> k(size_t(heads * shape.Sk * shape.D));
    for (size_t i = 0; i < k.size(); ++i)
      k[i] = uint16_t(1 + i % 65521); // Distinct, never 0.
    Result<rt::DeviceBuffer> dk = rt::DeviceBuffer::allocate(k.size() * 2);
    const size_t outBytes = size_t(heads * tiles * 16384);
    Result<rt::DeviceBuffer> dout = rt::DeviceBuffer::allocate(outBytes);
    ASSERT_TRUE(dk && dout);
    ASSERT_TRUE(dk->copyFromHost(k.data(), k.size() * 2));
    std::vector<uint8_t> out(outBytes, 0xff);
    ASSERT_TRUE(dout->copyFromHost(out.data(), outBytes));

    LaunchBuffers bufs;
    bufs.q = bufs.v = dk->get();
    bufs.k = dk->get();
    bufs.o = dout->get();
    Status launched = (*module)->launch(shape, bufs);
    ASSERT_TRUE(launched) << launched.message();
    ASSERT_TRUE(rt::Module::synchronize());
    ASSERT_TRUE(dout->copyToHost(out.data(), outBytes));

    // Block (t, kvh) wrote two boxes of 64 rows x 128 bytes; in the 128-byte
    // swizzle the 16-byte chunk c of row r sits at chunk c ^ (r % 8).
    size_t mismatches = 0;
    for (int64_t kvh = 0; kvh < heads; ++kvh)
      for (int64_t t = 0; t < tiles; ++t)
        for (int64_t half = 0; half < 2; ++half)
          for (int64_t r = 0; r < 64; ++r)
            for (int64_t col = 0; col < 64; ++col) {
              int64_t chunk = col / 8, swizzled = chunk ^ (r % 8);
              size_t at = size_t((kvh * tiles + t) * 16384 + half * 8192 +
                                 r * 128 + swizzled * 16 + (col % 8) * 2);
              uint16_t got = uint16_t(out[at] | (out[at + 1] << 8));
              int64_t row = t * 64 + r, d = half * 64 + col;
              uint16_t expected =
                  row < shape.Sk
                      ? k[size_t((kvh * shape.Sk + row) * shape.D + d)]
                      : 0;
              if (got != expected && ++mismatches <= 5)
                ADD_FAILURE()
                    << "head " << kvh << " row " << row << " col " << d
                    << ": got " << got << ", expected " << expected;
            }
    EXPECT_EQ(mismatches, 0u);
  }
}

TEST(GpuTest, TimesAnEmptyFunction) {
  Result<double> ms = rt::timeMedianMs([] { return Status::ok(); }, 1, 4);
  ASSERT_TRUE(ms) << ms.status().message();
  EXPECT_GE(*ms, 0.0);
}

TEST(GpuTest, ErrorsOfTheCallbackArePassedOn) {
  Result<double> ms = rt::timeMedianMs(
      [] { return Status::error(ErrorKind::InvalidArgument, "from fn"); }, 0,
      1);
  ASSERT_FALSE(ms);
  EXPECT_EQ(ms.status().message(), "from fn");
}

} // namespace

int main(int argc, char **argv) {
  std::string why;
  if (!rt::deviceAvailable(&why)) {
    std::printf("SKIPPED: no CUDA device (%s)\n", why.c_str());
    return 77;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
