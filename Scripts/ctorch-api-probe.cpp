// Not part of the build: Scripts/check-ctorch-headers.sh compiles this file (-fsyntax-only)
// beside CTorchBackend against each libtorch's headers (Debian's 1.13, PyTorch 2.x, and 2.x
// with the CUDA headers and PLUME_CUDA=1). It holds the libtorch calls specified for the CUDA
// work that CTorchBackend does not make yet, so that each call is known to compile on every
// libtorch Plume builds against before it moves into CTorchBackend (behind the C ABI of
// ctorch.h). Each function is the body such a ct_… function would have.
#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <torch/csrc/api/include/torch/cuda.h>
#include <torch/csrc/api/include/torch/version.h>

#include <cstdint>
#include <cstring>

#if defined(PLUME_CUDA)
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#endif

namespace ctorch_probe {

// bf16 autocast on CUDA for a training step's forward pass (no gradient scaler needed for bf16):
// enable before the network's forward, disable after it (before the loss and the backward
// pass), and clear the cast cache when disabling, as PyTorch's `torch.autocast` does on exit.
// Autocast state is per thread: the calls must run on the thread that runs the forward pass.
// PyTorch 2.4 added the device-typed calls and deprecated the CUDA-only ones.
void autocast_cuda_bf16(bool enabled) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
  at::autocast::set_autocast_enabled(at::kCUDA, enabled);
#else
  at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
  at::autocast::set_enabled(enabled);
#endif
  if (!enabled) at::autocast::clear_cache();
}

bool autocast_cuda_enabled() {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  return at::autocast::is_autocast_enabled(at::kCUDA);
#else
  return at::autocast::is_enabled();
#endif
}

// Pinned-memory prefetch: the loader thread fills a page-locked host tensor (the CUDA hooks'
// pinned allocator: needs a CUDA libtorch and a GPU at run time, throws otherwise) ...
at::Tensor pinned_from_data(const void *data, at::IntArrayRef shape, at::ScalarType dtype) {
  auto t = at::empty(shape, at::TensorOptions().dtype(dtype).pinned_memory(true));
  if (t.numel() > 0) std::memcpy(t.data_ptr(), data, t.nbytes());
  return t;
}

// ... and the training thread copies it to the GPU without waiting (the copy is queued on the
// current stream; the caching host allocator keeps the pinned block until the copy is done,
// so the host tensor can be released at once).
at::Tensor to_device_non_blocking(const at::Tensor &t, at::Device device) {
  return t.to(device, t.scalar_type(), /*non_blocking=*/true, /*copy=*/false);
}

bool is_pinned(const at::Tensor &t) { return t.is_pinned(); }

// Waits for the GPU's queued work (step timings), through the CUDA hooks: no CUDA headers.
void cuda_synchronize(int64_t device) { torch::cuda::synchronize(device); }

#if defined(PLUME_CUDA)
// Memory of the CUDA caching allocator on `device`, bytes: allocated (by tensors) and reserved
// (held by the allocator), current and peak since the last reset; index 0 is StatType::AGGREGATE.
void cuda_memory(int device, int64_t out[4]) {
  const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device);
  out[0] = stats.allocated_bytes[0].current;
  out[1] = stats.allocated_bytes[0].peak;
  out[2] = stats.reserved_bytes[0].current;
  out[3] = stats.reserved_bytes[0].peak;
}

void cuda_reset_peak_memory(int device) { c10::cuda::CUDACachingAllocator::resetPeakStats(device); }
#endif

}  // namespace ctorch_probe
