// Data parallelism on libtorch's own distributed engine, c10d (what PyTorch DDP runs on):
// a process group over a TCPStore rendezvous (Gloo on the CPU; NCCL in CUDA builds), and
// DDP's gradient Reducer, which all-reduces gradients in buckets from autograd hooks while
// the backward pass goes on. The Reducer runs our comm hook (an average by all-reduce, as
// DDP's default) so that each bucket's launch and completion are timed: that gives the
// share of communication hidden behind the backward pass.
#include <torch/csrc/api/include/torch/version.h>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/comm.hpp>
#include <torch/csrc/distributed/c10d/reducer.hpp>
#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#if defined(PLUME_CUDA) && defined(USE_C10D_NCCL)
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>

#include "internal.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct ProcessGroupHandle {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroup> group;
};

ProcessGroupHandle &PG(ct_process_group g) {
  if (g == nullptr) throw std::invalid_argument("process group is NULL");
  return *reinterpret_cast<ProcessGroupHandle *>(g);
}

/// Launch and completion times of each bucket's all-reduce, folded into totals once a
/// backward pass is over (at the next `prepare` or when the totals are read).
class CommTiming {
 public:
  /// Records a bucket's launch; returns its (pass, index) for `completed`.
  std::pair<int64_t, size_t> launched(Clock::time_point t) {
    std::lock_guard<std::mutex> lock(mutex_);
    open_.push_back({t, t, false});
    return {passes_, open_.size() - 1};
  }
  void completed(std::pair<int64_t, size_t> id, Clock::time_point end) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (id.first != passes_ || id.second >= open_.size()) return;  // folded already: not counted
    open_[id.second].end = end;
    open_[id.second].done = true;
  }
  /// Folds the finished backward pass into the totals. Communication before the last bucket's
  /// launch (when the backward pass has produced every gradient) is overlapped; after it, exposed.
  void fold() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (open_.empty()) return;
    Clock::time_point computeEnd = open_.front().start;
    for (const auto &i : open_) computeEnd = std::max(computeEnd, i.start);
    std::sort(open_.begin(), open_.end(), [](const Interval &a, const Interval &b) { return a.start < b.start; });
    double overlapped = 0, exposed = 0;
    Clock::time_point covered = open_.front().start;
    for (const auto &i : open_) {
      if (!i.done) continue;
      Clock::time_point from = std::max(i.start, covered);
      if (i.end <= from) continue;
      Clock::time_point split = std::min(std::max(from, computeEnd), i.end);
      overlapped += std::chrono::duration<double>(split - from).count();
      exposed += std::chrono::duration<double>(i.end - split).count();
      covered = i.end;
    }
    overlappedSeconds_ += overlapped;
    exposedSeconds_ += exposed;
    buckets_ += static_cast<int64_t>(open_.size());
    passes_ += 1;
    open_.clear();
  }
  void totals(double *overlapped, double *exposed, int64_t *buckets, int64_t *passes) {
    fold();
    std::lock_guard<std::mutex> lock(mutex_);
    *overlapped = overlappedSeconds_;
    *exposed = exposedSeconds_;
    *buckets = buckets_;
    *passes = passes_;
  }

 private:
  struct Interval {
    Clock::time_point start, end;
    bool done;
  };
  std::mutex mutex_;
  std::vector<Interval> open_;
  double overlappedSeconds_ = 0, exposedSeconds_ = 0;
  int64_t buckets_ = 0, passes_ = 0;
};

/// DDP's default hook (divide by the world size, all-reduce the bucket), timed.
class TimedAverage final : public c10d::CommHookInterface {
 public:
  TimedAverage(c10::intrusive_ptr<c10d::ProcessGroup> group, std::shared_ptr<CommTiming> timing)
      : group_(std::move(group)), timing_(std::move(timing)) {}

  c10::intrusive_ptr<c10::ivalue::Future> runHook(c10d::GradBucket &bucket) override {
    auto id = timing_->launched(Clock::now());
    std::vector<at::Tensor> tensors = {bucket.getBufferRef()};
    tensors[0].div_(group_->getSize());
    auto future = group_->allreduce(tensors)->getFuture();
    std::weak_ptr<CommTiming> timing = timing_;
    future->addCallback([timing, id](c10::ivalue::Future &) {
      if (auto t = timing.lock()) t->completed(id, Clock::now());
    });
    return future;
  }

  at::Tensor parseHookResult(const c10::IValue &result) override {
    if (result.isTensor()) return result.toTensor();
    TORCH_CHECK(result.isTensorList(), "all-reduce hook: expected a tensor or a tensor list as the result");
    return result.toTensorVector()[0];
  }

 private:
  c10::intrusive_ptr<c10d::ProcessGroup> group_;
  std::shared_ptr<CommTiming> timing_;
};

struct ReducerHandle {
  std::shared_ptr<c10d::Reducer> reducer;
  std::shared_ptr<CommTiming> timing;
};

ReducerHandle &RD(ct_reducer r) {
  if (r == nullptr) throw std::invalid_argument("reducer is NULL");
  return *reinterpret_cast<ReducerHandle *>(r);
}

std::vector<at::Tensor> tensors(const ct_tensor *ts, int n) {
  std::vector<at::Tensor> out;
  out.reserve(static_cast<size_t>(std::max(n, 0)));
  for (int i = 0; i < n; ++i) out.push_back(T(ts[i]));
  return out;
}

c10::intrusive_ptr<c10d::ProcessGroup> makeGloo(const c10::intrusive_ptr<c10d::Store> &store, int rank, int size,
                                                std::chrono::milliseconds timeout) {
#ifdef USE_C10D_GLOO
  auto options = c10d::ProcessGroupGloo::Options::create(timeout);
  // As torch.distributed: GLOO_SOCKET_IFNAME picks the interface, else this host's name.
  if (const char *interface = std::getenv("GLOO_SOCKET_IFNAME"); interface != nullptr && *interface != 0) {
    options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface));
  } else {
    options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  }
  auto gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, size, options);
#if TORCH_VERSION_MAJOR >= 2
  auto group = c10::make_intrusive<c10d::ProcessGroup>(
      store, rank, size, c10::make_intrusive<c10d::ProcessGroup::Options>("gloo", timeout));
  group->setBackend(c10::DeviceType::CPU, c10d::ProcessGroup::BackendType::GLOO, gloo);
  return group;
#else
  return gloo;
#endif
#else
  (void)store; (void)rank; (void)size; (void)timeout;
  throw std::runtime_error("this libtorch was built without Gloo (USE_C10D_GLOO): no CPU process group");
#endif
}

c10::intrusive_ptr<c10d::ProcessGroup> makeNCCL(const c10::intrusive_ptr<c10d::Store> &store, int rank, int size,
                                                std::chrono::milliseconds timeout) {
#if defined(PLUME_CUDA) && defined(USE_C10D_NCCL)
  auto options = c10d::ProcessGroupNCCL::Options::create();
  options->timeout = timeout;
  auto nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, rank, size, options);
#if TORCH_VERSION_MAJOR >= 2
  auto group = c10::make_intrusive<c10d::ProcessGroup>(
      store, rank, size, c10::make_intrusive<c10d::ProcessGroup::Options>("nccl", timeout));
  group->setBackend(c10::DeviceType::CUDA, c10d::ProcessGroup::BackendType::NCCL, nccl);
  return group;
#else
  return nccl;
#endif
#else
  (void)store; (void)rank; (void)size; (void)timeout;
  throw std::runtime_error("NCCL needs a build against a CUDA libtorch (LIBTORCH=… and PLUME_CUDA)");
#endif
}

}  // namespace

extern "C" {

int ct_dist_backend_available(int backend, int *out) {
  CT_TRY({
    if (backend == 0) {
#ifdef USE_C10D_GLOO
      *out = 1;
#else
      *out = 0;
#endif
    } else {
#if defined(PLUME_CUDA) && defined(USE_C10D_NCCL)
      *out = 1;
#else
      *out = 0;
#endif
    }
  })
}

int ct_process_group_new(const char *master_address, int port, int rank, int world_size, int backend,
                         int64_t timeout_ms, ct_process_group *out) {
  CT_TRY({
    if (master_address == nullptr) throw std::invalid_argument("master address is NULL");
    if (port <= 0 || port > 65535) throw std::invalid_argument("master port " + std::to_string(port) + " is outside 1…65535");
    if (world_size < 1 || rank < 0 || rank >= world_size)
      throw std::invalid_argument("rank " + std::to_string(rank) + " of world size " + std::to_string(world_size));
    auto timeout = std::chrono::milliseconds(timeout_ms);
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(port);
    options.isServer = rank == 0;
    options.numWorkers = static_cast<std::size_t>(world_size);
    options.waitWorkers = true;
    options.timeout = timeout;
    auto handle = std::make_unique<ProcessGroupHandle>();
    handle->store = c10::make_intrusive<c10d::TCPStore>(std::string(master_address), options);
    handle->group = backend == 0 ? makeGloo(handle->store, rank, world_size, timeout)
                                 : makeNCCL(handle->store, rank, world_size, timeout);
    *out = reinterpret_cast<ct_process_group>(handle.release());
  })
}

void ct_process_group_free(ct_process_group g) { delete reinterpret_cast<ProcessGroupHandle *>(g); }

int ct_process_group_broadcast(ct_process_group g, const ct_tensor *ts, int n, int root) {
  CT_TRY({
    auto list = tensors(ts, n);
    for (auto &t : list) {
      std::vector<at::Tensor> one = {t};
      c10d::BroadcastOptions options;
      options.rootRank = root;
      PG(g).group->broadcast(one, options)->wait();
    }
  })
}

/* op: 0 sum, 1 max, 2 min */
int ct_process_group_all_reduce(ct_process_group g, const ct_tensor *ts, int n, int op) {
  CT_TRY({
    auto list = tensors(ts, n);
    c10d::AllreduceOptions options;
    options.reduceOp = op == 1 ? c10d::ReduceOp::MAX : op == 2 ? c10d::ReduceOp::MIN : c10d::ReduceOp::SUM;
    for (auto &t : list) {
      std::vector<at::Tensor> one = {t};
      PG(g).group->allreduce(one, options)->wait();
    }
  })
}

int ct_process_group_barrier(ct_process_group g) { CT_TRY(PG(g).group->barrier()->wait()) }

int ct_reducer_new(ct_process_group g, const ct_tensor *parameters, int n, int64_t bucket_bytes, ct_reducer *out) {
  CT_TRY({
    auto params = tensors(parameters, n);
    if (params.empty()) throw std::invalid_argument("a reducer needs at least one parameter");
    // As DistributedDataParallel: a small first bucket (1 MiB) so that communication starts
    // early, then buckets of bucket_bytes; in reverse order of the parameters, the order in
    // which the backward pass produces their gradients.
    const int64_t first = std::min<int64_t>(1024 * 1024, bucket_bytes);
    std::vector<size_t> limits = {static_cast<size_t>(first), static_cast<size_t>(bucket_bytes)};
    std::vector<bool> sparse(params.size(), false);
    auto assignment = c10d::compute_bucket_assignment_by_size(params, limits, sparse);
    auto buckets = std::get<0>(assignment);
    auto perBucketLimits = std::get<1>(assignment);
    std::reverse(buckets.begin(), buckets.end());
    std::reverse(perBucketLimits.begin(), perBucketLimits.end());
    auto handle = std::make_unique<ReducerHandle>();
    handle->timing = std::make_shared<CommTiming>();
    handle->reducer = std::make_shared<c10d::Reducer>(params, buckets, perBucketLimits, PG(g).group, sparse, bucket_bytes,
                                                      /*find_unused_parameters=*/false, /*gradient_as_bucket_view=*/false,
                                                      std::unordered_map<size_t, std::string>(), first);
    handle->reducer->register_comm_hook(std::make_unique<TimedAverage>(PG(g).group, handle->timing));
    *out = reinterpret_cast<ct_reducer>(handle.release());
  })
}

void ct_reducer_free(ct_reducer r) { delete reinterpret_cast<ReducerHandle *>(r); }

int ct_reducer_prepare(ct_reducer r) {
  CT_TRY({
    auto &handle = RD(r);
    handle.timing->fold();
    handle.reducer->prepare_for_forward();
    handle.reducer->rebuild_buckets();
    handle.reducer->prepare_for_backward(std::vector<at::Tensor>());
  })
}

int ct_reducer_timing(ct_reducer r, double *overlapped_seconds, double *exposed_seconds, int64_t *buckets,
                      int64_t *backward_passes) {
  CT_TRY(RD(r).timing->totals(overlapped_seconds, exposed_seconds, buckets, backward_passes))
}

}  // extern "C"
