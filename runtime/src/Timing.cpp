//===- Timing.cpp - Median kernel time with CUDA events -------------------===//
#include "CudaDriver.h"

#include "sattn/Runtime.h"

#include <algorithm>

namespace sattn::rt {
namespace {

/// An event destroyed with its owner, so early returns do not leak it.
class Event {
public:
  explicit Event(const detail::Driver &d) : d_(d) {}
  ~Event() {
    if (event_)
      (void)d_.cuEventDestroy(event_);
  }
  Event(const Event &) = delete;
  Event &operator=(const Event &) = delete;
  Status create() {
    return detail::check(d_,
                         d_.cuEventCreate(&event_, detail::CU_EVENT_DEFAULT),
                         "cuEventCreate");
  }
  detail::CUevent get() const { return event_; }

private:
  const detail::Driver &d_;
  detail::CUevent event_ = nullptr;
};

} // namespace

Result<double> timeMedianMs(const std::function<Status()> &fn, int warmup,
                            int reps) {
  if (warmup < 0 || reps < 1)
    return Status::error(ErrorKind::InvalidArgument,
                         "timeMedianMs: need warmup >= 0 and reps >= 1, got " +
                             std::to_string(warmup) + " and " +
                             std::to_string(reps));
  Result<const detail::Driver *> driver = detail::currentDriver();
  if (!driver)
    return driver.status();
  const detail::Driver &d = **driver;
  Event start(d), stop(d);
  if (Status s = start.create(); !s)
    return s;
  if (Status s = stop.create(); !s)
    return s;

  for (int i = 0; i < warmup; ++i)
    if (Status s = fn(); !s)
      return s;
  // Events go on the default stream, which orders them with the work `fn`
  // enqueues there (Module::launch's default).
  std::vector<double> times;
  for (int i = 0; i < reps; ++i) {
    if (Status s = detail::check(d, d.cuEventRecord(start.get(), nullptr),
                                 "cuEventRecord");
        !s)
      return s;
    if (Status s = fn(); !s)
      return s;
    float ms = 0;
    if (Status s = detail::check(d, d.cuEventRecord(stop.get(), nullptr),
                                 "cuEventRecord");
        !s)
      return s;
    if (Status s = detail::check(d, d.cuEventSynchronize(stop.get()),
                                 "cuEventSynchronize");
        !s)
      return s;
    if (Status s =
            detail::check(d, d.cuEventElapsedTime(&ms, start.get(), stop.get()),
                          "cuEventElapsedTime");
        !s)
      return s;
    times.push_back(ms);
  }
  std::sort(times.begin(), times.end());
  size_t mid = times.size() / 2;
  return times.size() % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
}

} // namespace sattn::rt
